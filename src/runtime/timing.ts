/**
 * Timing ONNX Runtime sessions: medians of repeated runs, and pairs of sessions run alternately in one process (A, B,
 * A, B, …) so that drift of a shared machine (other load, frequency scaling) hits both alike. Used by the reports'
 * latencies, `reprune bench speed` and the lowering decisions of tile-lower / unify-lower.
 */
import type { Tensor } from '../ir/tensor.js';
import type { Runner } from './session.js';

/** The median (mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
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

export interface PairedTiming {
  denseMs: number;
  ms: number;
  /** The compressed model's output for the shared feeds (the last run's). */
  output: Tensor;
}

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
