/**
 * Layer part of `reprune bench speed`: tile lowering on single layers at realistic sizes — a 1024² Gemm and 1×1 /
 * 3×3 convs with 256 channels — against the masked dense layer, at 50 % and 75 % sparsity. The ideal speedup is
 * 1/(1 − s); efficiency = speedup / ideal (the target is ≥ 0.8 at 75 %). Each layer is lowered twice: always
 * (`tile-lower`), and where timing says it is faster (`tile-lower --measure-batch`), which falls back to dense.
 */
import { A } from '../ir/attrs.js';
import { Graph } from '../ir/graph.js';
import { f32 } from '../ir/tensor.js';
import { runPipeline } from '../passes/pipeline.js';
import { tilePrune } from '../passes/tile/prune.js';
import { SeededRng } from '../util/random.js';
import { gemmModel } from './tiletrans-speed.js';
import { seededFeeds } from '../report/latency.js';
import { pairedLatency } from '../runtime/timing.js';
import { maxRelError, sessionFor } from './speed-timing.js';

export interface LayerSpeedRow {
  layer: string;
  batch: number;
  threads: number;
  sparsity: number;
  form: 'lowered' | 'lowered where faster';
  denseMs: number;
  ms: number;
  speedup: number;
  ideal: number;
  efficiency: number;
  maxRelErr: number;
  /** Layers kept lowered (0 = the measured decision fell back to dense). */
  lowered: number;
}

/** A single Conv (group 1, same padding) with `c` input and output channels on an h×h map. */
export function convModel(c: number, k: number, h: number, seed = 0): Graph {
  const rng = new SeededRng(seed);
  const g = new Graph();
  g.name = `conv${k}x${k}-${c}`;
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', c, h, h] }];
  const w = g.addInitializer('conv.weight', f32([c, c, k, k], rng.fillNormal(new Float32Array(c * c * k * k))), true);
  const b = g.addInitializer('conv.bias', f32([c], rng.fillNormal(new Float32Array(c), 0, 0.1)), true);
  const p = (k - 1) / 2;
  g.add('Conv', ['x', w, b], { pads: A.ints([p, p, p, p]) }, { name: 'conv', outputs: ['y'] });
  g.outputs = [{ name: 'y', dtype: 'float32', shape: ['N', c, h, h] }];
  return g;
}

/** The layers timed: full size, or tiny ones for a smoke test. */
export function speedLayers(quick: boolean): Array<{ name: string; graph: Graph }> {
  const [n, c, h] = quick ? [256, 32, 8] : [1024, 256, 14];
  return [
    { name: `Gemm ${n}×${n}`, graph: gemmModel(n) },
    { name: `Conv 1×1 ${c}→${c} on ${h}×${h}`, graph: convModel(c, 1, h) },
    { name: `Conv 3×3 ${c}→${c} on ${h}×${h}`, graph: convModel(c, 3, h) },
  ];
}

/** One layer at one sparsity, batch and thread count: masked dense vs both lowered forms. */
export async function layerRows(
  layer: { name: string; graph: Graph },
  at: { sparsity: number; batch: number; threads: number; runs: number; warmup: number },
): Promise<LayerSpeedRow[]> {
  const masked = tilePrune(layer.graph, { pattern: { kind: 'tile', th: 128, tw: 1 }, sparsity: at.sparsity }).graph;
  const feeds = seededFeeds(masked, at.batch);
  const dense = await sessionFor(masked, at.threads);
  const reference = (await dense.run(feeds))[dense.outputNames[0]!]!;
  const rows: LayerSpeedRow[] = [];
  for (const form of ['lowered', 'lowered where faster'] as const) {
    const options = { maxDensity: 1, ...(form === 'lowered' ? {} : { measureBatch: at.batch }) };
    const r = await runPipeline(masked, [{ pass: 'tile-lower', options }]);
    const lowered = (r.reports[0]!.report as { layers: unknown[] }).layers.length;
    const t = await pairedLatency(dense, await sessionFor(r.graph, at.threads), feeds, at.runs, at.warmup);
    const speedup = t.denseMs / t.ms;
    const ideal = 1 / (1 - at.sparsity);
    rows.push({
      layer: layer.name,
      batch: at.batch,
      threads: at.threads,
      sparsity: at.sparsity,
      form,
      denseMs: t.denseMs,
      ms: t.ms,
      speedup,
      ideal,
      efficiency: speedup / ideal,
      maxRelErr: maxRelError(t.output, reference),
      lowered,
    });
  }
  return rows;
}

/** Markdown table of the layer part. */
export function layerTable(rows: LayerSpeedRow[]): string[] {
  const out = [
    '## Tile lowering on single layers (128×1 tiles)\n',
    'Masked dense layer vs its lowered form; ideal = 1/(1 − sparsity); efficiency = speedup / ideal. "where faster":',
    'tile-lower --measure-batch timed the layer and kept it dense unless lowering was ≥ 5 % faster (lowered = 0).\n',
    '| layer | batch | threads | sparsity | form | dense ms | ms | speedup | ideal | efficiency | lowered | max rel err |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows)
    out.push(
      `| ${r.layer} | ${r.batch} | ${r.threads} | ${Math.round(100 * r.sparsity)} % | ${r.form} | ${r.denseMs.toFixed(3)} | ${r.ms.toFixed(3)} | ${r.speedup.toFixed(2)}× | ${r.ideal.toFixed(2)}× | ${r.efficiency.toFixed(2)} | ${r.lowered} | ${r.maxRelErr.toExponential(1)} |`,
    );
  return [...out, ''];
}
