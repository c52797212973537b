/**
 * REAP greedy selection in O(n³) (METHODS.md §2). With H = G⁻¹ over the alive neurons (plus the
 * constant), removing neuron p and reconstructing b_p from all others costs E_p = ‖w_p‖²/H_pp
 * (1/H_pp is the least-squares residual energy of b_p on the rest), the best coefficients are
 * c_i = −H_ip/H_pp, and the inverse Gram of the survivors is the rank-1 downdate
 * H ← H_{−p,−p} − h hᵀ/H_pp. The outgoing-weight Gram K = W Wᵀ follows the fold w_i += c_i w_p as the
 * rank-2 update K += c vᵀ + v cᵀ (v = K_{·p} + ½ c K_pp), so nothing m-wide is touched per step.
 *
 * Speed (blocked, like LAPACK's delayed updates): a step only needs diag(H), diag(K) and column p
 * of each, so the rank-1/2 updates are queued (O(n·B) per step to correct a column) and applied
 * every B steps as one Gram-like product through the register-blocked gemm kernel; H and K are
 * streamed once per B steps instead of once per step. The folds are recorded as coefficient vectors
 * and composed at the end by a triangular solve and one matrix product.
 */
import { gemmNT } from '../../linalg/gemm.js';
import { matmulNT, spdInverse } from '../../linalg/index.js';
import { addDelayed, type Delayed, flushDelayed, newDelayed } from './delayed.js';
import { composeFolds } from './compose.js';
import { type Fold, type LayerProblem, type RidgeOptions, ridged } from './types.js';

const BLOCK = 32;

export function reapFast(p: LayerProblem, remove: number, opts: RidgeOptions = {}): Fold {
  const n = p.weights.rows;
  if (!(remove >= 0 && remove < n)) throw new Error(`reap: cannot remove ${remove} of ${n} neurons`);
  const d = p.gram.rows;
  const H = spdInverse({ rows: d, cols: d, data: ridged(p, opts.ridge) }).data;
  const K = matmulNT(p.weights, p.weights).data;
  const alive = new Uint8Array(d).fill(1);
  const diagH = Float64Array.from({ length: d }, (_, i) => H[i * d + i]!);
  const diagK = Float64Array.from({ length: n }, (_, i) => K[i * n + i]!);
  // H_true = H − Σ u uᵀ (u = h/√H_pp); K_true = K + Σ (c vᵀ + v cᵀ).
  const dh: Delayed = newDelayed(d, BLOCK, false);
  const dk: Delayed = newDelayed(n, BLOCK, true);
  const coefs = new Float64Array(remove * d); // row s = c vector of step s over H's index space
  const removed: number[] = [];
  const costs: number[] = [];
  const hcol = new Float64Array(d), kcol = new Float64Array(n), c = new Float64Array(d), v = new Float64Array(n);
  for (let step = 0; step < remove; step++) {
    let pIdx = -1, best = Infinity;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      const e = diagK[i]! / diagH[i]!;
      if (e < best) { best = e; pIdx = i; }
    }
    column(H, d, pIdx, alive, dh, hcol);
    const hpp = hcol[pIdx]!;
    column(K, n, pIdx, alive, dk, kcol);
    const kpp = kcol[pIdx]!;
    const sq = Math.sqrt(hpp);
    c.fill(0);
    for (let i = 0; i < d; i++) {
      if (!alive[i] || i === pIdx) continue;
      c[i] = -hcol[i]! / hpp;
      diagH[i] -= (hcol[i]! * hcol[i]!) / hpp;
      hcol[i] /= sq; // becomes u
    }
    hcol[pIdx] = 0;
    for (let i = 0; i < n; i++) {
      if (!alive[i] || i === pIdx) { v[i] = 0; continue; }
      v[i] = kcol[i]! + 0.5 * c[i]! * kpp;
      diagK[i] += 2 * c[i]! * v[i]!;
    }
    coefs.set(c, step * d);
    alive[pIdx] = 0;
    addDelayed(dh, hcol);
    addDelayed(dk, c.subarray(0, n), v);
    if (dh.count === BLOCK) { flushDelayed(H, dh, alive, -1); flushDelayed(K, dk, alive, 1); }
    removed.push(pIdx);
    costs.push(best);
  }
  return composeFolds(n, p.withConst, removed, coefs, costs);
}

/** Column p of the true matrix (stored upper triangle + queued updates), on alive rows. */
function column(M: Float64Array, d: number, p: number, alive: Uint8Array, q: Delayed, out: Float64Array): void {
  const B = q.block, cnt = q.count, A = q.a, Bv = q.b;
  for (let i = 0; i < d; i++) {
    if (!alive[i]) { out[i] = 0; continue; }
    let s = i <= p ? M[i * d + p]! : M[p * d + i]!;
    const ri = i * B, rp = p * B;
    if (Bv) {
      for (let k = 0; k < cnt; k++) s += A[ri + k]! * Bv[rp + k]! + Bv[ri + k]! * A[rp + k]!;
    } else {
      for (let k = 0; k < cnt; k++) s -= A[ri + k]! * A[rp + k]!;
    }
    out[i] = s;
  }
}

