/**
 * `reprune bench data`: how fast image folders load — files read, decoded (pngjs / sharp), converted and resized to
 * the model's input, and scaled into a float32 dataset — against loading the same pixels from .npy, for PNG and JPEG
 * at 28×28 (MNIST digits, gray) and 224×224 (RGB pictures made from the digits, with texture so they compress like
 * photos), plus 256×256 JPEGs resized and centre-cropped to 224 (the usual ImageNet evaluation). Then the compute
 * rate of a fine-tuning epoch of a small CNN at 3×224×224 on the decoded JPEG dataset, so the two rates say whether
 * such an epoch is bound by decoding or by compute. Writes docs/bench/data.md and data.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { type Dataset, take } from '../data/dataset.js';
import { encodeImage, type ImageFormat } from '../data/image-decode.js';
import { clearImageCache } from '../data/image-folder.js';
import { writeNpy } from '../data/npy.js';
import { clearDatasetCache, loadDataset, loadDatasetAsync } from '../data/sources.js';
import type { Graph } from '../ir/graph.js';
import { NetBuilder } from '../models/net-builder.js';
import { trainModel } from '../train/trainer.js';
import { markdownTable } from '../util/markdown.js';
import { SeededRng } from '../util/random.js';
import { machineDescription } from './benchmarks-doc.js';

interface DataBenchFlags {
  count: string;
  epochImages: string;
  batch: string;
  out: string;
  quick?: boolean;
  json?: boolean;
}

interface Case {
  name: string;
  format: ImageFormat;
  size: number;
  channels: 1 | 3;
  /** Model input side (the transform's crop); the images are resized when it differs from `size`. */
  target: number;
}

const CASES: Case[] = [
  { name: 'PNG 28×28 gray', format: 'png', size: 28, channels: 1, target: 28 },
  { name: 'JPEG 28×28 gray', format: 'jpeg', size: 28, channels: 1, target: 28 },
  { name: 'PNG 224×224 RGB', format: 'png', size: 224, channels: 3, target: 224 },
  { name: 'JPEG 224×224 RGB', format: 'jpeg', size: 224, channels: 3, target: 224 },
  { name: 'JPEG 256×256 RGB → 224 (resize + centre crop)', format: 'jpeg', size: 256, channels: 3, target: 224 },
];

/** Synthetic picture i: digit i of MNIST scaled up, coloured by smooth gradients plus seeded ±12 texture. */
function picture(digits: Dataset, i: number, size: number, channels: 1 | 3, rng: SeededRng): Uint8Array {
  const d = digits.images.subarray((i % digits.count) * 784, ((i % digits.count) + 1) * 784);
  const out = new Uint8Array(size * size * channels);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const v = d[Math.floor((y * 28) / size) * 28 + Math.floor((x * 28) / size)]!;
      for (let c = 0; c < channels; c++) {
        const base = channels === 1 ? 255 * v : 255 * v * 0.6 + (c === 0 ? x : c === 1 ? y : x + y) * (90 / size);
        const noise = size > 28 ? rng.int(25) - 12 : 0;
        out[(y * size + x) * channels + c] = Math.max(0, Math.min(255, Math.round(base + noise)));
      }
    }
  return out;
}

/** N images in 10 class folders, and the same pixels as x_test.npy / y_test.npy. */
async function writeCase(dir: string, c: Case, n: number, digits: Dataset): Promise<void> {
  const rng = new SeededRng(7);
  const npy = new Uint8Array(n * c.size * c.size * c.channels);
  for (let i = 0; i < n; i++) {
    const px = picture(digits, i, c.size, c.channels, rng);
    npy.set(px, i * px.length);
    const cls = path.join(dir, 'images', 'test', `class${digits.labels[i % digits.count]}`);
    mkdirSync(cls, { recursive: true });
    const bytes = await encodeImage({ width: c.size, height: c.size, channels: c.channels, data: px }, c.format, 90);
    writeFileSync(path.join(cls, `${i}.${c.format === 'png' ? 'png' : 'jpg'}`), bytes);
  }
  mkdirSync(path.join(dir, 'npy'), { recursive: true });
  const dims = c.channels === 1 ? [n, c.size, c.size] : [n, c.size, c.size, c.channels];
  writeNpy(path.join(dir, 'npy', 'x_test.npy'), npy, dims);
  writeNpy(
    path.join(dir, 'npy', 'y_test.npy'),
    Int32Array.from({ length: n }, (_, i) => digits.labels[i % digits.count]!),
    [n],
  );
}

async function timed<T>(f: () => Promise<T> | T): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

/** Images per second of a cold load (caches cleared) of the folder and of the .npy. */
async function measureCase(dir: string, c: Case, n: number) {
  const target = { channels: c.channels, height: c.target, width: c.target };
  // Warm-up (decoder modules loaded, code compiled), then a cold load of every image.
  await loadDatasetAsync(path.join(dir, 'images'), 'test', { image: { target }, limit: 4 });
  clearDatasetCache();
  clearImageCache();
  const img = await timed(() => loadDatasetAsync(path.join(dir, 'images'), 'test', { image: { target } }));
  clearDatasetCache();
  const npy = await timed(() => loadDataset(path.join(dir, 'npy'), 'test'));
  clearDatasetCache();
  return { images: img.value, imagesPerSec: n / img.seconds, npyPerSec: n / npy.seconds };
}

/** A small CNN for 3×224×224 input: three stride-2 convs, global pooling, a linear classifier (~24 k params). */
function smallNet(): Graph {
  const b = new NetBuilder('small-cnn-224', 0, ['N', 3, 224, 224]);
  let x = b.relu(b.conv('input', 'conv1', { cin: 3, cout: 16, k: 3, stride: 2, pad: 1 }));
  x = b.relu(b.conv(x, 'conv2', { cin: 16, cout: 32, k: 3, stride: 2, pad: 1 }));
  x = b.relu(b.conv(x, 'conv3', { cin: 32, cout: 64, k: 3, stride: 2, pad: 1 }));
  x = b.flatten(b.globalAvgPool(x));
  return b.finish(b.linear(x, 'fc', 64, 10, 'logits'), 10);
}

/** Training images per second of one fine-tuning epoch (SGD) on the decoded dataset. */
async function epochRate(ds: Dataset, batch: number): Promise<number> {
  const res = await trainModel(smallNet(), ds, { epochs: 1, batchSize: batch, lr: 0.01, seed: 0 });
  return res.history[0]!.samplesPerSecond;
}

function parseFlags(args: string[]): DataBenchFlags {
  return new Command('reprune bench data')
    .option('--count <n>', 'images per case', '1000')
    .option('--epoch-images <n>', 'images in the fine-tuning epoch (224×224 JPEG case)', '512')
    .option('--batch <n>', 'fine-tuning batch size', '32')
    .option('--out <dir>', 'where to write data.md/json', 'docs/bench')
    .option('--quick', 'a smoke run: 40 images per case, a 32-image epoch')
    .option('--json', 'print JSON instead of Markdown')
    .exitOverride()
    .parse(args, { from: 'user' })
    .opts<DataBenchFlags>();
}

export async function runBench(args: string[]): Promise<void> {
  const f = parseFlags(args);
  const count = f.quick ? 40 : Number(f.count);
  const epochImages = f.quick ? 32 : Number(f.epochImages);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const digits = loadDataset('mnist', 'test', { limit: Math.max(count, epochImages) });
  const work = mkdtempSync(path.join(os.tmpdir(), 'reprune-bench-data-'));
  const rows: Array<Record<string, string | number>> = [];
  let trainRate = 0;
  let decodeRate224 = 0;
  try {
    for (const c of CASES) {
      const dir = path.join(work, c.name.replace(/\W+/g, '-'));
      const n = c.size === 224 && c.format === 'jpeg' ? Math.max(count, epochImages) : count;
      log(`[data] writing ${n} × ${c.name}`);
      await writeCase(dir, c, n, digits);
      const m = await measureCase(dir, c, n);
      rows.push({
        case: c.name,
        images: n,
        'images/s (folder)': Math.round(m.imagesPerSec),
        'images/s (.npy)': Math.round(m.npyPerSec),
      });
      log(`  ${Math.round(m.imagesPerSec)} images/s from files, ${Math.round(m.npyPerSec)} images/s from .npy`);
      if (c.size === 224 && c.format === 'jpeg') {
        decodeRate224 = m.imagesPerSec;
        log(`[data] fine-tuning epoch of a small CNN on ${epochImages} decoded 224×224 images`);
        trainRate = await epochRate(take(m.images, epochImages), Number(f.batch));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  writeResults(f, args, rows, decodeRate224, trainRate);
}

function writeResults(
  f: DataBenchFlags,
  args: string[],
  rows: Array<Record<string, string | number>>,
  decode: number,
  train: number,
): void {
  const bound = decode > train ? 'compute' : 'decoding';
  const cmd = `reprune bench data ${args.join(' ')}`.trim();
  const md = [
    '## data',
    '',
    `Command: \`${cmd}\`. Machine: ${machineDescription()}; load average at start ${os.loadavg()[0]!.toFixed(2)}.`,
    '',
    'Cold loads (caches cleared): read, decode, convert and resize to the model input, scale to float32.',
    '',
    markdownTable(
      Object.keys(rows[0] ?? {}),
      rows.map((r) => Object.values(r).map(String)),
    ),
    '',
    `Fine-tuning epoch of a small CNN (3×224×224 → 3 stride-2 convs → 10 classes, batch ${f.batch}): ` +
      `${Math.round(train)} images/s of compute against ${Math.round(decode)} images/s decoded, so a first epoch ` +
      `over a 224×224 JPEG folder is bound by ${bound}; later epochs reuse the decoded images and decode nothing.`,
    '',
  ].join('\n');
  const json = { command: cmd, rows, trainImagesPerSec: train, decodeImagesPerSec224Jpeg: decode, bound };
  mkdirSync(f.out, { recursive: true });
  writeFileSync(path.join(f.out, 'data.md'), md);
  writeFileSync(path.join(f.out, 'data.json'), `${JSON.stringify(json, null, 1)}\n`);
  process.stdout.write(f.json ? `${JSON.stringify(json)}\n` : md);
}
