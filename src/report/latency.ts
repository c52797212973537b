/**
 * Wall-clock latency of one forward pass through ONNX Runtime, on seeded random inputs.
 * Reported as the median over `iters` timed runs after `warmup` untimed ones (the median
 * shrugs off GC pauses and scheduler noise that a mean would absorb).
 */
import type { Graph, ValueInfo } from '../ir/graph.js';
import { f32, i64, type Tensor } from '../ir/tensor.js';
import { compile, type Runner, type RuntimeOptions } from '../runtime/session.js';
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

function randomInput(v: ValueInfo, batch: number, rng: SeededRng): Tensor {
  const dims = concreteDims(v, batch);
  const n = dims.reduce((a, b) => a * b, 1);
  if (v.dtype === 'float32') return f32(dims, rng.fillUniform(new Float32Array(n)));
  if (v.dtype === 'int64') return i64(dims, new Array<number>(n).fill(0));
  throw new ReproError(
    `graph input '${v.name}' has dtype ${v.dtype}; latency measurement supports float32 and int64 inputs`,
  );
}

/** Milliseconds per batch (median). */
export async function measureLatency(g: Graph, opts: LatencyOptions = {}): Promise<number> {
  const batch = opts.batch ?? 1;
  const iters = opts.iters ?? 20;
  const warmup = opts.warmup ?? 3;
  if (!(Number.isInteger(batch) && batch > 0))
    throw new ReproError(`latency batch ${batch}: must be a positive integer`);
  if (!(Number.isInteger(iters) && iters > 0))
    throw new ReproError(`latency iterations ${iters}: must be a positive integer`);
  const rng = new SeededRng(0);
  const feeds: Record<string, Tensor> = {};
  for (const v of g.inputs) feeds[v.name] = randomInput(v, batch, rng);
  const { times } = await timeRuns(await compile(g, opts.runtime), feeds, iters, warmup);
  const mid = times.length >> 1;
  return times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
}

/** Run `warmup` untimed then `iters` timed passes; the sorted times (ms) and the last outputs. */
export async function timeRuns(
  runner: Runner,
  feeds: Record<string, Tensor>,
  iters: number,
  warmup: number,
): Promise<{ times: number[]; outputs: Record<string, Tensor> }> {
  let outputs: Record<string, Tensor> = {};
  for (let i = 0; i < warmup; i++) outputs = await runner.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    outputs = await runner.run(feeds);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { times, outputs };
}
