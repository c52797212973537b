/**
 * Neuro-Unification (METHODS.md §2): remove neuron p by merging it into ONE other neuron q, fitting
 * b_p ≈ α b_q + β (1-D least squares, β only with the constant column), folding w_q += α w_p and
 * bias += β w_p. Cost of the pair = residual energy × ‖w_p‖²; greedily unify the cheapest pair.
 * Behaviours never change, so each source keeps its best partner until that partner is removed;
 * only ‖w_q‖² of the receiver changes (tracked through the outgoing-weight Gram K).
 */
import { matmulNT } from '../../linalg/index.js';
import { type Fold, type LayerProblem, type RidgeOptions, ridged } from './types.js';

/** 1-D least-squares fit b_src ≈ α b_dst + β: coefficients and residual energy. */
type PairFit = (src: number, dst: number) => { alpha: number; beta: number; residual: number };

/** Greedy state: the fold T (row n = constant), the outgoing-weight Gram K, and each alive neuron's best partner. */
interface NuState {
  n: number;
  fit: PairFit;
  K: Float64Array;
  T: Float64Array;
  alive: Uint8Array;
  partner: Int32Array;
  /** Residual of each neuron against its partner. */
  res: Float64Array;
}

export function nuSelect(p: LayerProblem, remove: number, opts: RidgeOptions = {}): Fold {
  const n = p.weights.rows;
  if (!(remove >= 0 && remove < n)) throw new Error(`nu: cannot remove ${remove} of ${n} neurons`);
  const fit = pairFit(p, opts);
  const K = matmulNT(p.weights, p.weights).data;
  const T = new Float64Array((n + 1) * n);
  for (let i = 0; i < n; i++) T[i * n + i] = 1;
  const st: NuState = {
    n,
    fit,
    K,
    T,
    alive: new Uint8Array(n).fill(1),
    partner: new Int32Array(n),
    res: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) findPartner(st, i);
  const removed: number[] = [];
  const costs: number[] = [];
  for (let step = 0; step < remove; step++) {
    const { src, bestCost } = cheapestSource(st);
    unify(st, src, st.partner[src]!);
    removed.push(src);
    costs.push(bestCost);
    // Behaviours never change: only neurons whose partner just went need a new one.
    for (let i = 0; i < n; i++) if (st.alive[i] && st.partner[i] === src) findPartner(st, i);
  }
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (st.alive[i]) keep.push(i);
  const transform = new Float64Array(keep.length * n);
  keep.forEach((j, k) => {
    transform.set(T.subarray(j * n, j * n + n), k * n);
  });
  return {
    keep,
    removed,
    transform: { rows: keep.length, cols: n, data: transform },
    constRow: T.slice(n * n, n * n + n),
    costs,
  };
}

/** Pair fits on the ridged Gram. */
function pairFit(p: LayerProblem, opts: RidgeOptions): PairFit {
  const n = p.weights.rows;
  const d = p.gram.rows;
  const G = ridged(p, opts.ridge);
  // Centred second moments when the constant is available (β absorbs the means), raw otherwise.
  const N = p.withConst ? G[n * d + n]! : 0;
  const mom = (i: number, j: number) =>
    p.withConst ? G[i * d + j]! - (G[i * d + n]! * G[j * d + n]!) / N : G[i * d + j]!;
  return (src: number, dst: number) => {
    const cqq = mom(dst, dst);
    const cpq = mom(src, dst);
    const alpha = cqq > 0 ? cpq / cqq : 0;
    const residual = Math.max(0, mom(src, src) - alpha * cpq);
    const beta = p.withConst ? (G[src * d + n]! - alpha * G[dst * d + n]!) / N : 0;
    return { alpha, beta, residual };
  };
}

/** Neuron i's best partner among the other alive neurons: the smallest residual (the first one on ties). */
function findPartner(st: NuState, i: number): void {
  let best = -1,
    r = Infinity;
  for (let j = 0; j < st.n; j++) {
    if (j === i || !st.alive[j]) continue;
    const f = st.fit(i, j);
    if (f.residual < r) {
      r = f.residual;
      best = j;
    }
  }
  st.partner[i] = best;
  st.res[i] = r;
}

/** The alive neuron whose merge into its partner costs least: ‖w_p‖² × residual. */
function cheapestSource({ n, K, alive, res }: NuState): { src: number; bestCost: number } {
  let src = -1,
    bestCost = Infinity;
  for (let i = 0; i < n; i++) {
    if (!alive[i]) continue;
    const e = K[i * n + i]! * res[i]!;
    if (e < bestCost) {
      bestCost = e;
      src = i;
    }
  }
  return { src, bestCost };
}

/** Merges src into dst: w_dst += α w_src and bias += β w_src (in T), with K updated to match; src is removed. */
function unify(st: NuState, src: number, dst: number): void {
  const { n, K, T } = st;
  const { alpha, beta } = st.fit(src, dst);
  for (let col = 0; col < n; col++) {
    T[dst * n + col] += alpha * T[src * n + col]!;
    T[n * n + col] += beta * T[src * n + col]!;
  }
  for (let j = 0; j < n; j++) K[dst * n + j] += alpha * K[src * n + j]!; // row q += α row p
  for (let j = 0; j < n; j++) K[j * n + dst] += alpha * K[j * n + src]!; // then column q += α column p
  st.alive[src] = 0;
}
