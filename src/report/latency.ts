/**
 * Wall-clock latency of one forward pass through ONNX Runtime, on seeded random inputs.
 * Reported as the median over `iters` timed runs after `warmup` untimed ones (the median
 * shrugs off GC pauses and scheduler noise that a mean would absorb). A row derived from a dense model is timed
 * alternately with it (runtime/timing.ts pairedLatency), as `reprune bench speed` does.
 */
import type { Graph, ValueInfo } from '../ir/graph.js';
import { f32, i64, type Tensor } from '../ir/tensor.js';
import { compile, type RuntimeOptions } from '../runtime/session.js';
import { median, pairedLatency, timeRuns } from '../runtime/timing.js';
import { ReproError } from '../util/errors.js';
import { SeededRng } from '../util/random.js';

export interface LatencyOptions {
  batch?: number;
  iters?: number;
  warmup?: number;
  runtime?: RuntimeOptions;
}

/** Concrete dims for a graph input: the leading symbolic dim becomes `batch`; any other symbolic dim is an error. */
export function concreteDims(v: ValueInfo, batch: number): number[] {
  if (!v.shape) throw new ReproError(`graph input '${v.name}' has no declared shape; cannot build a test input for it`);
  return v.shape.map((d, i) => {
    if (typeof d === 'number') return d;
    if (i === 0) return batch;
    throw new ReproError(
      `graph input '${v.name}' has symbolic dim '${d}' at axis ${i} (shape [${v.shape!.join(', ')}]); only the batch dim may be symbolic`,
    );
  });
}

function seededInput(v: ValueInfo, batch: number, rng: SeededRng): Tensor {
  const dims = concreteDims(v, batch);
  const n = dims.reduce((a, b) => a * b, 1);
  if (v.dtype === 'float32') return f32(dims, rng.fillUniform(new Float32Array(n)));
  if (v.dtype === 'int64') return i64(dims, new Array<number>(n).fill(0));
  throw new ReproError(
    `graph input '${v.name}' has dtype ${v.dtype}; latency measurement supports float32 and int64 inputs`,
  );
}

/** Seeded inputs at `batch` for every graph input (uniform [0, 1) floats, zero int64s). */
export function seededFeeds(g: Graph, batch: number, seed = 0): Record<string, Tensor> {
  const rng = new SeededRng(seed);
  const feeds: Record<string, Tensor> = {};
  for (const v of g.inputs) feeds[v.name] = seededInput(v, batch, rng);
  return feeds;
}

function checkLatencyArgs(batch: number, iters: number): void {
  if (!(Number.isInteger(batch) && batch > 0))
    throw new ReproError(`latency batch ${batch}: must be a positive integer`);
  if (!(Number.isInteger(iters) && iters > 0))
    throw new ReproError(`latency iterations ${iters}: must be a positive integer`);
}

/** Milliseconds per batch (median). */
export async function measureLatency(g: Graph, opts: LatencyOptions = {}): Promise<number> {
  const batch = opts.batch ?? 1;
  const iters = opts.iters ?? 20;
  const warmup = opts.warmup ?? 3;
  checkLatencyArgs(batch, iters);
  const { times } = await timeRuns(await compile(g, opts.runtime), seededFeeds(g, batch), iters, warmup);
  return median(times);
}

/**
 * A report row's latency at `batch`: with a dense model it derives from, the two are timed alternately (`iters`
 * pairs) and the row gets the paired speedup (dense ms / its ms); alone, its median over `iters` runs.
 */
export async function rowLatency(
  g: Graph,
  o: { batch: number; iters: number; dense?: Graph },
): Promise<{ latencyMs: number; speedup?: number }> {
  if (!o.dense) return { latencyMs: await measureLatency(g, { batch: o.batch, iters: o.iters }) };
  checkLatencyArgs(o.batch, o.iters);
  const p = await pairedLatency(await compile(o.dense), await compile(g), seededFeeds(g, o.batch), o.iters);
  return { latencyMs: p.ms, speedup: p.denseMs / p.ms };
}
