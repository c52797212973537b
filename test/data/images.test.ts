/**
 * Image folders and lists, built here from MNIST test images: PNG gives exactly the pixels (and so the accuracy) of
 * the same images as .npy, JPEG stays within a small tolerance, RGB 56×56 JPEGs feed a 1×28×28 model with no flags,
 * bad files are named in one line (or skipped and counted), and a second load decodes nothing.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { inputTarget, loadDataFor } from '../../src/api/data.js';
import type { Dataset } from '../../src/data/dataset.js';
import { decodeImage, encodeImage } from '../../src/data/image-decode.js';
import { clearImageCache, imageDecodeCount } from '../../src/data/image-folder.js';
import { imageListOf, imageSourceOf } from '../../src/data/image-list.js';
import { writeNpy } from '../../src/data/npy.js';
import { clearDatasetCache, loadDataset, loadDatasetAsync } from '../../src/data/sources.js';
import type { Graph } from '../../src/ir/graph.js';
import { trainedModel } from '../../src/models/trained.js';
import { saveOnnx } from '../../src/onnx/save.js';
import { evaluate } from '../../src/runtime/evaluate.js';
import { ReproError } from '../../src/util/errors.js';
import { isCleanError, runCli, tmpDir } from '../cli/helpers.js';

const N = 300;
let root: string;
let model: Graph;
let modelFile: string;
let mnist: Dataset;

/** The 8-bit pixels of MNIST test image i (the .npy and the image files hold exactly these). */
function pixels(i: number): Uint8Array {
  return Uint8Array.from(mnist.images.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255));
}

/** Each pixel repeated 2×2 and the gray value copied to R, G and B: a 56×56 RGB picture of the digit. */
function rgb56(px: Uint8Array): Uint8Array {
  const out = new Uint8Array(56 * 56 * 3);
  for (let y = 0; y < 56; y++)
    for (let x = 0; x < 56; x++) out.fill(px[(y >> 1) * 28 + (x >> 1)]!, 3 * (y * 56 + x), 3 * (y * 56 + x) + 3);
  return out;
}

async function writeFolder(name: string, make: (i: number) => Promise<{ bytes: Uint8Array; ext: string }>) {
  for (let i = 0; i < N; i++) {
    const dir = path.join(root, name, 'test', `digit${mnist.labels[i]}`);
    mkdirSync(dir, { recursive: true });
    const { bytes, ext } = await make(i);
    writeFileSync(path.join(dir, `${String(i).padStart(4, '0')}.${ext}`), bytes);
  }
}

/** Index into MNIST of every sample of an image dataset, from its file names. */
function sourceIndices(dir: string): number[] {
  const src = imageSourceOf(dir)!;
  return imageListOf(src, 'test').files.map((f) => Number(path.basename(f).slice(0, 4)));
}

describe('image folders', () => {
  before(async () => {
    root = tmpDir('reprune-images-');
    mnist = loadDataset('mnist', 'test', { limit: N });
    model = (await trainedModel('lenet5', { epochs: 3, limit: 10000 })).graph;
    modelFile = path.join(root, 'lenet5.onnx');
    saveOnnx(model, modelFile);
    const gray = (i: number) => ({ width: 28, height: 28, channels: 1 as const, data: pixels(i) });
    await writeFolder('png', async (i) => ({ bytes: await encodeImage(gray(i), 'png'), ext: 'png' }));
    await writeFolder('jpeg', async (i) => ({ bytes: await encodeImage(gray(i), 'jpeg', 90), ext: 'jpg' }));
    await writeFolder('rgb56', async (i) => ({
      bytes: await encodeImage({ width: 56, height: 56, channels: 3, data: rgb56(pixels(i)) }, 'jpeg', 90),
      ext: 'jpeg',
    }));
    const all = new Uint8Array(N * 784);
    for (let i = 0; i < N; i++) all.set(pixels(i), i * 784);
    mkdirSync(path.join(root, 'npy'));
    writeNpy(path.join(root, 'npy', 'x_test.npy'), all, [N, 28, 28]);
    writeNpy(path.join(root, 'npy', 'y_test.npy'), mnist.labels.slice(0, N), [N]);
  });

  test('PNG: the same pixels and exactly the accuracy of the same images as .npy', async () => {
    const png = await loadDataFor(model, path.join(root, 'png'), 'test');
    const npy = loadDataset(path.join(root, 'npy'), 'test');
    assert.deepEqual(png.shape, [1, 28, 28]);
    assert.equal(png.count, N);
    assert.equal(png.numClasses, 10, 'ten class folders');
    const idx = sourceIndices(path.join(root, 'png'));
    for (let k = 0; k < N; k++) {
      const i = idx[k]!;
      assert.equal(png.labels[k], npy.labels[i], `label of sample ${k}`);
      assert.deepEqual(png.images.subarray(k * 784, (k + 1) * 784), npy.images.subarray(i * 784, (i + 1) * 784));
    }
    const a = await evaluate(model, png);
    const b = await evaluate(model, npy);
    assert.equal(a.accuracy, b.accuracy);
    assert.ok(a.accuracy > 0.9, `a trained LeNet-5 on MNIST: ${a.accuracy}`);
  });

  test('JPEG: accuracy within 1 point of .npy, pixels within a few levels', async () => {
    const jpg = await loadDataFor(model, path.join(root, 'jpeg'), 'test');
    const npy = loadDataset(path.join(root, 'npy'), 'test');
    const idx = sourceIndices(path.join(root, 'jpeg'));
    let sum = 0;
    for (let k = 0; k < N; k++)
      for (let p = 0; p < 784; p++) sum += Math.abs(jpg.images[k * 784 + p]! - npy.images[idx[k]! * 784 + p]!);
    assert.ok(sum / (N * 784) < 4 / 255, `mean |Δpixel| ${((sum / (N * 784)) * 255).toFixed(2)} levels`);
    const a = await evaluate(model, jpg);
    const b = await evaluate(model, npy);
    assert.ok(Math.abs(a.accuracy - b.accuracy) <= 0.01, `JPEG ${a.accuracy} vs .npy ${b.accuracy}`);
  });

  test('a CSV list of path,label reads the same images as the folder', async () => {
    const src = imageSourceOf(path.join(root, 'png'))!;
    const list = imageListOf(src, 'test');
    const csv = path.join(root, 'png-list.csv');
    const rows = list.files.map((f, k) => `${path.relative(root, f)},${list.labels[k]}`);
    writeFileSync(csv, `path,label\n${rows.join('\n')}\n`);
    const fromCsv = await loadDataFor(model, csv, 'test');
    const fromDir = await loadDataFor(model, path.join(root, 'png'), 'test');
    assert.deepEqual(fromCsv.labels, fromDir.labels);
    assert.deepEqual(fromCsv.images, fromDir.images);
  });

  test('RGB 56×56 JPEGs feed a 1×28×28 model with no flags (reprune eval)', async () => {
    const dir = path.join(root, 'rgb56');
    const direct = await loadDataFor(model, dir, 'test');
    assert.deepEqual(inputTarget(model), { channels: 1, height: 28, width: 28 });
    assert.deepEqual(direct.shape, [1, 28, 28]);
    const r = await runCli(['eval', modelFile, '--data', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { accuracy: number; samples: number };
    assert.equal(out.samples, N);
    const npy = await evaluate(model, loadDataset(path.join(root, 'npy'), 'test'));
    assert.ok(out.accuracy >= npy.accuracy - 0.03, `56×56 RGB ${out.accuracy} vs 28×28 gray ${npy.accuracy}`);
  });

  test('a truncated JPEG and a text file named .png: one line naming the file (exit 2), or skipped and counted', async () => {
    const base = path.join(root, 'bad');
    const good = readFileSync(path.join(root, 'jpeg', 'test', 'digit7', '0000.jpg'));
    const cases: Array<[string, Uint8Array]> = [
      ['cut.jpg', good.subarray(0, Math.floor(good.length / 2))],
      ['notes.png', new TextEncoder().encode('these are my notes, not a picture\n')],
    ];
    for (const [name, bytes] of cases) {
      const dir = path.join(base, name.replace('.', '-'));
      mkdirSync(path.join(dir, 'test', 'a'), { recursive: true });
      mkdirSync(path.join(dir, 'test', 'b'), { recursive: true });
      writeFileSync(path.join(dir, 'test', 'a', '0.jpg'), good);
      writeFileSync(path.join(dir, 'test', 'b', '1.jpg'), good);
      const bad = path.join(dir, 'test', 'b', name);
      writeFileSync(bad, bytes);
      const r = await runCli(['eval', modelFile, '--data', dir]);
      assert.ok(isCleanError(r), r.stderr);
      assert.ok(r.stderr.includes(bad), `names ${bad}: ${r.stderr}`);
      const s = await runCli(['eval', modelFile, '--data', dir, '--skip-bad-images', '--json']);
      assert.equal(s.code, 0, s.stderr);
      assert.equal(JSON.parse(s.stdout).samples, 2);
      assert.match(s.stderr, /skipped 1 unreadable image/);
    }
    await assert.rejects(decodeImage(cases[0]![1], 'cut.jpg'), (e: unknown) => {
      assert.ok(e instanceof ReproError && /^cut\.jpg: corrupt or truncated JPEG/.test(e.message), String(e));
      return true;
    });
  });

  test('a second load decodes nothing (bounded cache), and a changed target decodes again', async () => {
    clearDatasetCache();
    clearImageCache();
    const dir = path.join(root, 'png');
    const t = { channels: 1, height: 28, width: 28 };
    const n0 = imageDecodeCount();
    await loadDatasetAsync(dir, 'test', { image: { target: t } });
    assert.equal(imageDecodeCount() - n0, N);
    clearDatasetCache(); // the dataset is rebuilt, the decoded pixels come from the cache
    await loadDatasetAsync(dir, 'test', { image: { target: t } });
    assert.equal(imageDecodeCount() - n0, N);
    await loadDatasetAsync(dir, 'test', { image: { target: { channels: 3, height: 28, width: 28 } } });
    assert.equal(imageDecodeCount() - n0, 2 * N);
  });

  test('--limit decodes only the first N images, and every class is among them', async () => {
    clearDatasetCache();
    clearImageCache();
    const n0 = imageDecodeCount();
    const ds = await loadDataFor(model, path.join(root, 'png'), 'test', { limit: 20 });
    assert.equal(imageDecodeCount() - n0, 20);
    assert.equal(ds.count, 20);
    assert.deepEqual(new Set(ds.labels).size, 10, 'round-robin order: the first 20 images cover the 10 classes');
  });

  test('image data through the sync loader is refused with a one-line hint', () => {
    assert.throws(() => loadDataset(path.join(root, 'png'), 'test'), /image folder or list; .*loadDatasetAsync/);
  });
});
