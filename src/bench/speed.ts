/**
 * `reprune bench speed [--models a,b] [--size px] [--batches 1,32] [--threads 1,2] [--runs 20] [--methods ...]
 * [--quick] [--out DIR] [--json]`: is a compressed model actually faster in stock ONNX Runtime, and by how much
 * of its MAC reduction? Every method's output (speed-variants.ts) against the dense model, timed in alternating
 * runs (runtime/timing.ts pairedLatency), with MAC reduction, latency speedup and their quotient side by side.
 * torchvision models are exported through bench/torch.ts; without PyTorch the zoo models stand in (and the page says so).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { modelMetrics } from '../analysis/metrics.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { buildModel, isZooArch } from '../models/index.js';
import { loadModelChecked } from '../onnx/prepare.js';
import { concreteDims } from '../report/latency.js';
import { clearSessionCache, type Runner } from '../runtime/session.js';
import { ReproError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { SeededRng } from '../util/random.js';
import { type LayerSpeedRow, layerRows, layerTable, speedLayers } from './speed-layers.js';
import { type ModelHeader, type SpeedRow, speedMarkdown } from './speed-report.js';
import { seededFeeds } from '../report/latency.js';
import { pairedLatency } from '../runtime/timing.js';
import { maxRelError, outputOf, outputProblem, sessionFor } from './speed-timing.js';
import { type SpeedVariant, buildVariants, macsOf } from './speed-variants.js';
import { parseSpeedFlags, type SpeedBenchOptions, speedOptions } from './speed-flags.js';
import { exportTorchvision, type TorchvisionSpec, torchSkipReason } from './torch.js';

export interface SpeedBenchResult {
  command: string;
  options: Omit<SpeedBenchOptions, 'log'>;
  models: ModelHeader[];
  rows: SpeedRow[];
  layerRows: LayerSpeedRow[];
  notes: string[];
  markdown: string;
}

/** A small ViT from torchvision's VisionTransformer class (6 layers, 3 heads, width 192: ViT-Tiny-like). */
const VIT_TINY = { patch_size: 16, num_layers: 6, num_heads: 3, hidden_dim: 192, mlp_dim: 768 };

/** What `--models` names: a zoo architecture, 'vit-tiny', or a torchvision.models builder ('resnet18', ...). */
function torchSpec(name: string, size: number, dir: string): TorchvisionSpec {
  const file = path.join(dir, `${name}-${size}.onnx`);
  if (name === 'vit-tiny')
    return { arch: 'VisionTransformer', file, size, classes: 1000, kwargs: { image_size: size, ...VIT_TINY } };
  // BN kept so that fold-bn has something to fold (ORT fuses Conv+BN itself either way).
  return { arch: name, file, size, classes: 1000, keepBn: true };
}

interface LoadedModel {
  name: string;
  graph: Graph;
  source: string;
}

/** The models to time: zoo builds, torchvision exports, or (no PyTorch) the zoo stand-ins, with a note saying so. */
function loadModels(o: SpeedBenchOptions, notes: string[], dir: string): LoadedModel[] {
  const zoo = o.models.filter(isZooArch);
  let torch = o.models.filter((m) => !isZooArch(m));
  const out: LoadedModel[] = zoo.map((name) => ({ name, graph: buildModel(name), source: 'zoo model (untrained)' }));
  const skip = torch.length ? torchSkipReason() : undefined;
  if (skip) {
    notes.push(`${skip}. Zoo models stand in for ${torch.join(', ')}: resnet-small and vgg-small.`);
    for (const name of ['resnet-small', 'vgg-small'] as const)
      if (!zoo.includes(name)) out.push({ name, graph: buildModel(name), source: 'zoo model (PyTorch absent)' });
    torch = [];
  }
  const exported = torch.length ? exportTorchvision(torch.map((m) => torchSpec(m, o.size, dir))) : [];
  exported.forEach((e, i) => {
    const name = torch[i]!;
    if (e.error) {
      // PyTorch 1.13 exports adaptive pooling only when the map divides the output (VGG pools to 7×7).
      const hint = e.error.includes('adaptive_avg_pool2d') ? ' Torchvision VGG needs --size 224 (7 × 32).' : '';
      notes.push(`${name}: export failed (${e.error.slice(0, 160)}); left out.${hint}`);
      return;
    }
    out.push({
      name,
      graph: loadModelChecked(e.file),
      source: `torchvision ${e.arch}${name === 'vit-tiny' ? ' (6 layers, 3 heads, width 192, patch 16)' : ''} at ${o.size}×${o.size} px, 1000 classes, random weights${name === 'vit-tiny' ? '' : ', BN statistics measured on random images, BN kept'}`,
    });
  });
  return out;
}

/** `count` seeded uniform images of the model's input shape, as a calibration set (labels unused). */
function randomCalibration(g: Graph, count: number): Dataset {
  const dims = concreteDims(g.inputs[0]!, count);
  const shape = dims.slice(1);
  const n = dims.reduce((a, b) => a * b, 1);
  const images = new SeededRng(7).fillUniform(new Float32Array(n));
  return { name: 'random', images, labels: new Int32Array(count), count, shape, numClasses: 10 };
}

/** Release a compressed model's session (ResNet-50 sessions hold ~100 MB each); the dense one stays. */
async function release(r: Runner, dense: Runner): Promise<void> {
  if (r === dense) return;
  clearSessionCache();
  await r.session.release();
}

/** One variant at one batch/thread setting: timed against the dense session, output checked. */
async function timeVariant(
  v: SpeedVariant,
  at: { dense: Runner; feeds: Record<string, Tensor>; expected: number[]; denseMacs?: number },
  o: SpeedBenchOptions,
  threads: number,
): Promise<Pick<SpeedRow, 'denseMs' | 'ms' | 'speedup' | 'efficiency' | 'macReduction' | 'problem'>> {
  const r = await sessionFor(v.graph, threads);
  try {
    const t = await pairedLatency(at.dense, r, at.feeds, o.runs, o.warmup);
    const macReduction = v.macs && at.denseMacs ? at.denseMacs / v.macs : undefined;
    const speedup = t.denseMs / t.ms;
    return {
      denseMs: t.denseMs,
      ms: t.ms,
      speedup,
      macReduction,
      efficiency: macReduction ? speedup / macReduction : undefined,
      problem: outputProblem(t.output, at.expected),
    };
  } finally {
    await release(r, at.dense);
  }
}

/** Rewrites must compute what they were rewritten from: max relative error on the batch's feeds. */
async function equalityError(v: SpeedVariant, feeds: Record<string, Tensor>, threads: number) {
  if (!v.equals) return undefined;
  const [a, b] = [await outputOf(v.graph, feeds, threads), await outputOf(v.equals, feeds, threads)];
  clearSessionCache();
  return maxRelError(a, b);
}

/** Every variant of one model at every batch and thread count. */
async function benchModel(m: LoadedModel, o: SpeedBenchOptions): Promise<{ header: ModelHeader; rows: SpeedRow[] }> {
  const denseMacs = await macsOf(m.graph);
  const header = { model: m.name, source: m.source, macs: denseMacs, params: modelMetrics(m.graph).totals.params };
  o.log(`${m.name}: building variants`);
  const calib = randomCalibration(m.graph, o.calib);
  const { variants, skipped } = await buildVariants(m.graph, { ...o, calib, measureBatch: Math.max(...o.batches) });
  const rows: SpeedRow[] = [];
  const errors = new Map<SpeedVariant, number | undefined>();
  for (const threads of o.threads)
    for (const batch of o.batches) {
      const feeds = seededFeeds(m.graph, batch);
      const dense = await sessionFor(m.graph, threads);
      const out = (await dense.run(feeds))[dense.outputNames[0]!]!;
      const at = { dense, feeds, expected: out.dims, denseMacs };
      for (const v of variants) {
        if (!errors.has(v)) errors.set(v, await equalityError(v, feeds, threads));
        const base = { model: m.name, batch, threads, variant: v.label, method: v.method, target: v.target };
        const t = await timeVariant(v, at, o, threads).catch((e: Error) => ({ problem: e.message.split('\n')[0] }));
        rows.push({ ...base, ...t, maxRelErr: errors.get(v), note: v.note });
        o.log(`  ${m.name} b${batch} t${threads} ${v.label}: ${fmtRow(rows[rows.length - 1]!)}`);
      }
      for (const s of skipped)
        rows.push({ model: m.name, batch, threads, variant: s.label, method: s.method, problem: s.reason });
      await dense.session.release();
      clearSessionCache();
    }
  return { header, rows };
}

const fmtRow = (r: SpeedRow) =>
  r.problem && r.ms === undefined
    ? r.problem
    : `${r.ms?.toFixed(2)} ms vs ${r.denseMs?.toFixed(2)} ms, ${r.speedup?.toFixed(2)}× (MACs ${r.macReduction?.toFixed(2) ?? '?'}×)`;

/** Tile lowering on single layers at every sparsity, batch and thread count. */
async function benchLayers(o: SpeedBenchOptions): Promise<LayerSpeedRow[]> {
  const rows: LayerSpeedRow[] = [];
  for (const layer of speedLayers(o.quick))
    for (const threads of o.threads)
      for (const batch of o.batches)
        for (const sparsity of o.sparsities) {
          const r = await layerRows(layer, { sparsity, batch, threads, runs: o.runs, warmup: o.warmup });
          for (const x of r)
            o.log(
              `  ${x.layer} b${batch} t${threads} s${sparsity} ${x.form}: ${x.speedup.toFixed(2)}× of ${x.ideal.toFixed(2)}×`,
            );
          rows.push(...r);
          clearSessionCache();
        }
  return rows;
}

/** Run the bench (no files written; `runBench` writes them). */
export async function runSpeedBench(o: SpeedBenchOptions, command: string): Promise<SpeedBenchResult> {
  const notes: string[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reprune-speed-'));
  try {
    const models = o.layersOnly ? [] : loadModels(o, notes, dir);
    const headers: ModelHeader[] = [];
    const rows: SpeedRow[] = [];
    for (const m of models) {
      const r = await benchModel(m, o);
      headers.push(r.header);
      rows.push(...r.rows);
    }
    const layerRows = o.layers || o.layersOnly ? await benchLayers(o) : [];
    const { log: _, ...options } = o;
    const markdown =
      speedMarkdown(command, headers, rows, notes) + (layerRows.length ? layerTable(layerRows).join('\n') : '');
    return { command, options, models: headers, rows, layerRows, notes, markdown };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runBench(args: string[]): Promise<void> {
  const f = parseSpeedFlags(args);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const command = `reprune bench speed ${args.join(' ')}`.trim();
  // Every flag is checked before minutes of timing.
  const stem = f.stem ?? 'speed';
  if (!/^speed[\w-]*$/.test(stem))
    throw new ReproError(
      `--stem ${stem}: use a name starting with 'speed' (letters, digits, - and _), e.g. speed-resnet50`,
    );
  const { markdown, ...result } = await runSpeedBench(speedOptions(f, log), command);
  if (f.out) {
    mkdirSync(f.out, { recursive: true });
    writeFileAtomic(path.join(f.out, `${stem}.md`), markdown);
    writeFileAtomic(path.join(f.out, `${stem}.json`), `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${path.join(f.out, `${stem}.md`)} and ${stem}.json`);
  }
  process.stdout.write(f.json ? `${JSON.stringify(result)}\n` : markdown);
}
