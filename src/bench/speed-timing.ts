/**
 * Paired ORT timing for `reprune bench speed`: the dense model and one compressed model run alternately in one
 * process (dense, compressed, dense, …) so that drift of a shared machine (other load, frequency scaling) hits
 * both alike, and each side's median is taken. Also the checks every compressed output must pass: right shape,
 * finite, and — for rewrites — equal to the model it was rewritten from.
 */
import type { Graph, ValueInfo } from '../ir/graph.js';
import { f32, i64, type Tensor } from '../ir/tensor.js';
import { concreteDims } from '../report/latency.js';
import { compile, type Runner } from '../runtime/session.js';
import { SeededRng } from '../util/random.js';

export interface PairedTiming {
  denseMs: number;
  ms: number;
  /** The compressed model's output for the shared feeds (the last run's). */
  output: Tensor;
}

/** Seeded inputs at `batch` for every graph input (uniform [0, 1) floats, zero int64s). */
export function benchFeeds(g: Graph, batch: number, seed = 0): Record<string, Tensor> {
  const rng = new SeededRng(seed);
  const feeds: Record<string, Tensor> = {};
  for (const v of g.inputs) feeds[v.name] = inputTensor(v, batch, rng);
  return feeds;
}

function inputTensor(v: ValueInfo, batch: number, rng: SeededRng): Tensor {
  const dims = concreteDims(v, batch);
  const n = dims.reduce((a, b) => a * b, 1);
  return v.dtype === 'int64'
    ? i64(dims, new Array<number>(n).fill(0))
    : f32(dims, rng.fillUniform(new Float32Array(n)));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function timeOne(r: Runner, feeds: Record<string, Tensor>): Promise<{ ms: number; out: Tensor }> {
  const t0 = performance.now();
  const res = await r.run(feeds);
  const ms = performance.now() - t0;
  return { ms, out: res[r.outputNames[0]!]! };
}

/** `warmup` untimed pairs, then `runs` timed pairs, dense first in each; the two medians. */
export async function pairedLatency(
  dense: Runner,
  compressed: Runner,
  feeds: Record<string, Tensor>,
  runs: number,
  warmup = 3,
): Promise<PairedTiming> {
  let output: Tensor | undefined;
  for (let i = 0; i < warmup; i++) {
    await dense.run(feeds);
    output = (await timeOne(compressed, feeds)).out;
  }
  const d: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < runs; i++) {
    d.push((await timeOne(dense, feeds)).ms);
    const t = await timeOne(compressed, feeds);
    c.push(t.ms);
    output = t.out;
  }
  return { denseMs: median(d), ms: median(c), output: output! };
}

/** A session for `g` at `threads` intra-op threads (sessions are shared by identical graphs and options). */
export function sessionFor(g: Graph, threads: number): Promise<Runner> {
  return compile(g, { threads });
}

/** The first output of `g` on `feeds` (one untimed run). */
export async function outputOf(g: Graph, feeds: Record<string, Tensor>, threads: number): Promise<Tensor> {
  const r = await sessionFor(g, threads);
  return (await r.run(feeds))[r.outputNames[0]!]!;
}

/** max|a − b| / max|b| (0 when both are all zero); Infinity when shapes differ. */
export function maxRelError(a: Tensor, b: Tensor): number {
  if (a.dims.join(',') !== b.dims.join(',')) return Number.POSITIVE_INFINITY;
  const x = a.data as Float32Array,
    y = b.data as Float32Array;
  let err = 0,
    scale = 0;
  for (let i = 0; i < y.length; i++) {
    err = Math.max(err, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(y[i]!));
  }
  return scale === 0 ? err : err / scale;
}

/** Why an output is unusable (wrong shape, non-finite values), or undefined when it is fine. */
export function outputProblem(out: Tensor, expectedDims: number[]): string | undefined {
  if (out.dims.join(',') !== expectedDims.join(','))
    return `output shape [${out.dims.join(', ')}], expected [${expectedDims.join(', ')}]`;
  const d = out.data as Float32Array;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return `non-finite output at ${i}`;
  return undefined;
}
