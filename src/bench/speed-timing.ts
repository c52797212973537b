/**
 * Sessions and output checks for `reprune bench speed` (its paired timing is runtime/timing.ts's pairedLatency):
 * every compressed output must have the right shape, be finite, and — for rewrites — equal the model it was
 * rewritten from.
 */
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { compile, type Runner } from '../runtime/session.js';

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
