/**
 * Neuro-Unification (METHODS.md §2): remove neuron p by merging it into ONE other neuron q, fitting
 * b_p ≈ α b_q + β (1-D least squares, β only with the constant column), folding w_q += α w_p and
 * bias += β w_p. Cost of the pair = residual energy × ‖w_p‖²; greedily unify the cheapest pair.
 * Behaviours never change, so each source keeps its best partner until that partner is removed;
 * only ‖w_q‖² of the receiver changes (tracked through the outgoing-weight Gram K).
 */
import { matmulNT } from '../../linalg/index.js';
import { type Fold, type LayerProblem, type RidgeOptions, ridged } from './types.js';

export function nuSelect(p: LayerProblem, remove: number, opts: RidgeOptions = {}): Fold {
  const n = p.weights.rows;
  if (!(remove >= 0 && remove < n)) throw new Error(`nu: cannot remove ${remove} of ${n} neurons`);
  const d = p.gram.rows;
  const G = ridged(p, opts.ridge);
  // Centred second moments when the constant is available (β absorbs the means), raw otherwise.
  const N = p.withConst ? G[n * d + n]! : 0;
  const mom = (i: number, j: number) => (p.withConst ? G[i * d + j]! - (G[i * d + n]! * G[j * d + n]!) / N : G[i * d + j]!);
  const fit = (src: number, dst: number) => {
    const cqq = mom(dst, dst);
    const cpq = mom(src, dst);
    const alpha = cqq > 0 ? cpq / cqq : 0;
    const residual = Math.max(0, mom(src, src) - alpha * cpq);
    const beta = p.withConst ? (G[src * d + n]! - alpha * G[dst * d + n]!) / N : 0;
    return { alpha, beta, residual };
  };
  const K = matmulNT(p.weights, p.weights).data;
  const T = new Float64Array((n + 1) * n);
  for (let i = 0; i < n; i++) T[i * n + i] = 1;
  const alive = new Uint8Array(n).fill(1);
  const partner = new Int32Array(n);
  const res = new Float64Array(n);
  const findPartner = (i: number) => {
    let best = -1, r = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i || !alive[j]) continue;
      const f = fit(i, j);
      if (f.residual < r) { r = f.residual; best = j; }
    }
    partner[i] = best;
    res[i] = r;
  };
  for (let i = 0; i < n; i++) findPartner(i);
  const removed: number[] = [];
  const costs: number[] = [];
  for (let step = 0; step < remove; step++) {
    let src = -1, bestCost = Infinity;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      const e = K[i * n + i]! * res[i]!;
      if (e < bestCost) { bestCost = e; src = i; }
    }
    const dst = partner[src]!;
    const { alpha, beta } = fit(src, dst);
    for (let col = 0; col < n; col++) {
      T[dst * n + col] += alpha * T[src * n + col]!;
      T[n * n + col] += beta * T[src * n + col]!;
    }
    for (let j = 0; j < n; j++) K[dst * n + j] += alpha * K[src * n + j]!; // row q += α row p
    for (let j = 0; j < n; j++) K[j * n + dst] += alpha * K[j * n + src]!; // then column q += α column p
    alive[src] = 0;
    removed.push(src);
    costs.push(bestCost);
    for (let i = 0; i < n; i++) if (alive[i] && partner[i] === src) findPartner(i);
  }
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (alive[i]) keep.push(i);
  const transform = new Float64Array(keep.length * n);
  keep.forEach((j, k) => transform.set(T.subarray(j * n, j * n + n), k * n));
  return { keep, removed, transform: { rows: keep.length, cols: n, data: transform }, constRow: T.slice(n * n, n * n + n), costs };
}
