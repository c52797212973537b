/**
 * A tensor-train (TT) or tensor-ring (TR) factorization of an M×N weight (GEMM view, row = output):
 *   W[(i_1..i_d), (j_1..j_d)] = trace( G_1[:, i_1, j_1, :] · G_2[:, i_2, j_2, :] ··· G_d[:, i_d, j_d, :] )
 * with cores G_k of shape [r_{k−1}, m_k, n_k, r_k]. Indices are row-major: i_1 (j_1) is the most significant digit.
 * TT: r_0 = r_d = 1 (the trace is a 1×1 product). TR: r_0 = r_d = R > 1 (cyclic bond, summed by the trace).
 */
import { ReproError } from '../../util/errors.js';
import { chooseTtShape, type TtShape } from './factorize.js';

export interface TtSpec extends TtShape {
  /** Bond ranks r_0..r_d (length d + 1); r_0 = r_d (1 for TT). */
  ranks: number[];
  ring: boolean;
}

export const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

export function ttRows(s: TtShape): number {
  return prod(s.m);
}

export function ttCols(s: TtShape): number {
  return prod(s.n);
}

/** Shape of core k (0-based): [r_k, m_k, n_k, r_{k+1}]. */
export function coreDims(s: TtSpec, k: number): [number, number, number, number] {
  return [s.ranks[k]!, s.m[k]!, s.n[k]!, s.ranks[k + 1]!];
}

export function ttParamCount(s: TtSpec): number {
  let total = 0;
  for (let k = 0; k < s.m.length; k++) total += prod(coreDims(s, k));
  return total;
}

export interface RankOptions {
  /** Target rank of every internal bond (capped at what the unfoldings allow). */
  rank: number;
  /** Tensor ring: cyclic bond rank r_0 = r_d (default: TT, r_0 = 1). */
  ringRank?: number;
}

/**
 * Bond ranks for a shape: r_k = min(rank, max rank of the k-th sequential unfolding). With these caps a rank
 * ≥ the maximal one reproduces any weight exactly (TT-SVD is exact at full rank).
 * Unfolding k (TT-SVD step k) is [r_{k−1}·m_k·n_k, (Π_{l>k} m_l·n_l)·r_0].
 */
export function ttRanks(shape: TtShape, opts: RankOptions): TtSpec {
  const d = shape.m.length;
  if (shape.n.length !== d || d < 2)
    throw new ReproError(
      `TT shape needs the same number (≥ 2) of m and n factors, got ${shape.m.length} and ${shape.n.length}`,
    );
  if (!(Number.isInteger(opts.rank) && opts.rank >= 1))
    throw new ReproError(`--tt-rank ${opts.rank}: must be a positive integer`);
  const r0 = opts.ringRank ?? 1;
  if (!(Number.isInteger(r0) && r0 >= 1)) throw new ReproError(`--tr-rank ${r0}: must be a positive integer`);
  const mn = shape.m.map((m, k) => m * shape.n[k]!);
  const ranks = [r0];
  for (let k = 0; k < d - 1; k++) {
    const rows = ranks[k]! * mn[k]!;
    const cols = prod(mn.slice(k + 1)) * r0;
    // The first TR step splits one SVD rank into r_0·r_1; later steps produce r_k directly.
    const cap = k === 0 ? Math.floor(Math.min(mn[0]!, prod(mn.slice(1))) / r0) : Math.min(rows, cols);
    ranks.push(Math.max(1, Math.min(opts.rank, cap)));
  }
  ranks.push(r0);
  return { m: [...shape.m], n: [...shape.n], ranks, ring: r0 > 1 || !!opts.ringRank };
}

/** Shape + ranks for an M×N weight in one call. */
export function makeTtSpec(M: number, N: number, opts: RankOptions & { cores?: number | 'auto' }): TtSpec {
  return ttRanks(chooseTtShape(M, N, opts.cores ?? 'auto'), opts);
}

export function describeSpec(s: TtSpec): string {
  return `${s.ring ? 'TR' : 'TT'} m=[${s.m.join(',')}] n=[${s.n.join(',')}] r=[${s.ranks.join(',')}]`;
}
