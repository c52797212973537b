/**
 * Speed part of `reprune bench tiletrans`: latency of a tile-pruned, lowered Gemm against the dense
 * Gemm in ONNX Runtime (same session options), and the ideal 1/(1−s) speedup.
 */
import { A } from '../ir/attrs.js';
import { Graph } from '../ir/graph.js';
import { f32 } from '../ir/tensor.js';
import { compile } from '../runtime/session.js';
import { timeRuns } from '../runtime/timing.js';
import { SeededRng } from '../util/random.js';
import { lowerTileSparse } from '../passes/tile/lower.js';
import type { Pattern } from '../passes/tile/pattern.js';
import { tilePrune } from '../passes/tile/prune.js';

export interface SpeedRow {
  size: number;
  batch: number;
  tile: string;
  sparsity: number;
  denseMs: number;
  loweredMs: number;
  speedup: number;
  ideal: number;
  /** speedup / ideal */
  efficiency: number;
  maxRelErr: number;
}

export function gemmModel(size: number, seed = 0): Graph {
  const rng = new SeededRng(seed);
  const g = new Graph();
  g.name = `gemm${size}`;
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', size] }];
  const w = g.addInitializer(
    'fc.weight',
    f32([size, size], rng.fillNormal(new Float32Array(size * size), 0, 1 / Math.sqrt(size))),
    true,
  );
  const b = g.addInitializer('fc.bias', f32([size], rng.fillNormal(new Float32Array(size), 0, 0.1)), true);
  g.add('Gemm', ['x', w, b], { transB: A.int(1) }, { name: 'fc', outputs: ['y'] });
  g.outputs = [{ name: 'y', dtype: 'float32', shape: ['N', size] }];
  return g;
}

/** Median latency (ms) of `runs` runs after `warmup` runs. */
export async function latency(
  g: Graph,
  feeds: Record<string, ReturnType<typeof f32>>,
  runs: number,
  warmup = 3,
): Promise<{ ms: number; out: Float32Array }> {
  const { times, outputs } = await timeRuns(await compile(g), feeds, runs, warmup);
  return { ms: times[Math.floor(times.length / 2)]!, out: outputs[g.outputs[0]!.name]!.data as Float32Array };
}

export async function speedBench(
  sizes = [1024, 4096],
  sparsities = [0.5, 0.75, 0.9],
  pattern: Pattern = { kind: 'tile', th: 128, tw: 1 },
  batch = 64,
  log: (s: string) => void = () => {},
): Promise<SpeedRow[]> {
  const rows: SpeedRow[] = [];
  for (const size of sizes) {
    const dense = gemmModel(size);
    const rng = new SeededRng(1);
    const feeds = { x: f32([batch, size], rng.fillNormal(new Float32Array(batch * size))) };
    const runs = size >= 4096 ? 30 : 100;
    for (const s of sparsities) {
      const masked = tilePrune(dense, { pattern, sparsity: s }).graph;
      const low = lowerTileSparse(masked, { maxDensity: 1 }).graph;
      // Alternate dense and lowered rounds and keep each one's best median: other load on the machine hits both alike.
      let d = await latency(masked, feeds, runs);
      let l = await latency(low, feeds, runs);
      for (let round = 0; round < 2; round++) {
        const d2 = await latency(masked, feeds, runs, 1);
        const l2 = await latency(low, feeds, runs, 1);
        if (d2.ms < d.ms) d = d2;
        if (l2.ms < l.ms) l = l2;
      }
      let err = 0,
        mx = 0;
      for (let i = 0; i < d.out.length; i++) {
        err = Math.max(err, Math.abs(d.out[i]! - l.out[i]!));
        mx = Math.max(mx, Math.abs(d.out[i]!));
      }
      const row: SpeedRow = {
        size,
        batch,
        tile: pattern.kind === 'tile' ? `${pattern.th}x${pattern.tw}` : `${pattern.n}:${pattern.m}`,
        sparsity: s,
        denseMs: d.ms,
        loweredMs: l.ms,
        speedup: d.ms / l.ms,
        ideal: 1 / (1 - s),
        efficiency: (d.ms / l.ms) * (1 - s),
        maxRelErr: err / mx,
      };
      log(
        `gemm ${size}² batch ${batch} ${row.tile} s=${s}: dense ${d.ms.toFixed(3)} ms, lowered ${l.ms.toFixed(3)} ms, speedup ${row.speedup.toFixed(2)}× (ideal ${row.ideal.toFixed(2)}×)`,
      );
      rows.push(row);
    }
  }
  return rows;
}
