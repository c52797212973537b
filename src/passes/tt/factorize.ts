/**
 * Factorizations of a layer's GEMM-view sizes M (outputs) and N (inputs) into d factors for a tensor-train:
 * M = Π m_k, N = Π n_k. "Balanced" = factors as close to n^(1/d) as possible, which keeps the cores small and
 * the bond ranks large for a given parameter budget.
 */
import { ReproError } from '../../util/errors.js';

/** All multisets of `d` factors (each ≥ 1, non-decreasing) whose product is n. */
function factorSets(n: number, d: number, minFactor = 1): number[][] {
  if (d === 1) return n >= minFactor ? [[n]] : [];
  const out: number[][] = [];
  for (let f = Math.max(1, minFactor); f ** d <= n; f++) {
    if (n % f !== 0) continue;
    for (const rest of factorSets(n / f, d - 1, f)) out.push([f, ...rest]);
  }
  return out;
}

/** Spread of a factor set: Σ (log f − log n / d)², 0 for perfectly balanced factors. */
function imbalance(fs: number[], n: number): number {
  const mean = Math.log(n) / fs.length;
  return fs.reduce((s, f) => s + (Math.log(f) - mean) ** 2, 0);
}

/**
 * The most balanced factorization of n into d factors, ascending. With `allowOnes = false`
 * (the default) every factor is ≥ 2; returns undefined when that is impossible (e.g. 10 into 3 factors).
 */
export function balancedFactors(n: number, d: number, allowOnes = false): number[] | undefined {
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(d) && d >= 1))
    throw new Error(`balancedFactors(${n}, ${d}): bad arguments`);
  let best: number[] | undefined;
  let bestScore = Infinity;
  for (const fs of factorSets(n, d, allowOnes ? 1 : 2)) {
    const s = imbalance(fs, n);
    if (s < bestScore - 1e-12) {
      best = fs;
      bestScore = s;
    }
  }
  return best;
}

export interface TtShape {
  /** Output-side factors, Π m = M. */
  m: number[];
  /** Input-side factors, Π n = N. */
  n: number[];
}

/**
 * Factor shapes for an M×N weight with `d` cores, or with d = 'auto' the largest d in {4, 3, 2} where both
 * M and N split into factors ≥ 2 (falling back to d = 2 with factors of 1 for primes).
 * The m factors are ascending and the n factors descending, so the core sizes m_k·n_k are balanced too.
 */
export function chooseTtShape(M: number, N: number, d: number | 'auto' = 'auto'): TtShape {
  if (d !== 'auto' && !(Number.isInteger(d) && d >= 2 && d <= 6)) {
    throw new ReproError(`--tt-cores ${d}: must be an integer in [2, 6] or 'auto'`);
  }
  const tries = d === 'auto' ? [4, 3, 2] : [d];
  for (const k of tries) {
    const m = balancedFactors(M, k);
    const n = balancedFactors(N, k);
    if (m && n) return { m, n: [...n].reverse() };
  }
  const k = d === 'auto' ? 2 : d;
  const m = balancedFactors(M, k, true)!;
  const n = balancedFactors(N, k, true)!;
  return { m, n: [...n].reverse() };
}
