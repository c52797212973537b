/**
 * REAP greedy selection in O(n³) (METHODS.md §2). With H = G⁻¹ over the alive neurons (plus the
 * constant), removing neuron p and reconstructing b_p from all others costs E_p = ‖w_p‖²/H_pp
 * (1/H_pp is the least-squares residual energy of b_p on the rest), the best coefficients are
 * c_i = −H_ip/H_pp, and the inverse Gram of the survivors is the rank-1 downdate
 * H ← H_{−p,−p} − h hᵀ/H_pp. The outgoing-weight Gram K = W Wᵀ follows the fold w_i += c_i w_p as a
 * rank-2 update, so every step is O(n²) and the m-wide weights are never touched.
 *
 * Speed: H and K are kept compacted (row/column p squeezed out in the same pass as the update), so
 * every inner loop is a contiguous axpy. Folds are recorded as X[i][k] = weight of the k-th removed
 * neuron's original row in neuron i's row (T_i = e_i + Σ_k X_ik e_{p_k}), again contiguous.
 */
import { matmulNT, spdInverse } from '../../linalg/index.js';
import { type Fold, type LayerProblem, type RidgeOptions, ridged } from './types.js';

export function reapFast(p: LayerProblem, remove: number, opts: RidgeOptions = {}): Fold {
  const n = p.weights.rows;
  if (!(remove >= 0 && remove < n)) throw new Error(`reap: cannot remove ${remove} of ${n} neurons`);
  let dh = p.gram.rows; // current size of H (alive neurons + constant)
  const H = spdInverse({ rows: dh, cols: dh, data: ridged(p, opts.ridge) }).data;
  let dk = n; // current size of K (alive neurons)
  const K = matmulNT(p.weights, p.weights).data;
  const idx = Int32Array.from({ length: dh }, (_, i) => i); // position → original index (constant = n, last)
  const r = Math.max(remove, 1);
  const X = new Float64Array((n + 1) * r);
  const removed: number[] = [];
  const costs: number[] = [];
  const c = new Float64Array(dh);
  const u = new Float64Array(dh);
  const hp = new Float64Array(dh);
  for (let step = 0; step < remove; step++) {
    let pos = -1, bestCost = Infinity;
    for (let a = 0; a < dk; a++) {
      const e = K[a * dk + a]! / H[a * dh + a]!;
      if (e < bestCost) { bestCost = e; pos = a; }
    }
    const pOrig = idx[pos]!;
    const hpp = H[pos * dh + pos]!;
    symColumn(H, dh, pos, hp);
    for (let a = 0; a < dh; a++) c[a] = -hp[a]! / hpp;
    // Record the fold: X_i[0..step) += c_i X_p[0..step), X_i[step] = c_i.
    const xp = pOrig * r;
    for (let a = 0; a < dh; a++) {
      if (a === pos) continue;
      const xi = idx[a]! * r, ca = c[a]!;
      for (let k = 0; k < step; k++) X[xi + k] += ca * X[xp + k]!;
      X[xi + step] = ca;
    }
    // K_ij += c_i u_j + c_j u_i + c_i c_j K_pp (u = column p before the fold), squeezing out p.
    const kpp = K[pos * dk + pos]!;
    symColumn(K, dk, pos, u);
    for (let a = 0; a < dk; a++) u[a] += 0.5 * c[a]! * kpp;
    squeezeUpdate(K, dk, pos, (a) => c[a]!, u, u, c);
    dk--;
    // H ← H − h hᵀ/H_pp = H + c hᵀ (h = row p), squeezing out p.
    squeezeUpdate(H, dh, pos, (a) => c[a]!, hp, undefined, undefined);
    dh--;
    idx.copyWithin(pos, pos + 1);
    c.copyWithin(pos, pos + 1); // keep c aligned with the squeezed positions (unused after)
    removed.push(pOrig);
    costs.push(bestCost);
  }
  const order = new Map(removed.map((j, k) => [j, k] as const));
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (!order.has(i)) keep.push(i);
  const transform = new Float64Array(keep.length * n);
  keep.forEach((j, k) => {
    transform[k * n + j] = 1;
    for (let s = 0; s < remove; s++) transform[k * n + removed[s]!] += X[j * r + s]!;
  });
  const constRow = new Float64Array(n);
  if (p.withConst) for (let s = 0; s < remove; s++) constRow[removed[s]!] = X[n * r + s]!;
  return { keep, removed, transform: { rows: keep.length, cols: n, data: transform }, constRow, costs };
}

/**
 * In place on the symmetric d×d row-major M, upper triangle only (the lower one is never read):
 * M'_ij = M_ij + f(i)·x_j (+ y_i·z_j when given) for p ∉ {i, j}, j ≥ i, written as a compact
 * (d−1)×(d−1) matrix. Writes never overtake reads (destination index ≤ source index).
 * The caller passes rank-one/two terms that are symmetric as a whole (c·hᵀ with h ∝ c, or c·uᵀ + u·cᵀ).
 */
function squeezeUpdate(M: Float64Array, d: number, p: number, f: (i: number) => number, x: Float64Array, y?: Float64Array, z?: Float64Array): void {
  const d1 = d - 1;
  for (let i = 0; i < d; i++) {
    if (i === p) continue;
    const ri = i * d, fi = f(i);
    const i1 = i < p ? i : i - 1;
    let w = i1 * d1 + i1;
    if (y && z) {
      const yi = y[i]!;
      for (let j = i; j < p; j++) M[w++] = M[ri + j]! + fi * x[j]! + yi * z[j]!;
      for (let j = Math.max(i, p + 1); j < d; j++) M[w++] = M[ri + j]! + fi * x[j]! + yi * z[j]!;
    } else {
      for (let j = i; j < p; j++) M[w++] = M[ri + j]! + fi * x[j]!;
      for (let j = Math.max(i, p + 1); j < d; j++) M[w++] = M[ri + j]! + fi * x[j]!;
    }
  }
}

/** Column p of a symmetric matrix stored in its upper triangle. */
function symColumn(M: Float64Array, d: number, p: number, out: Float64Array): void {
  for (let a = 0; a < p; a++) out[a] = M[a * d + p]!;
  for (let a = p; a < d; a++) out[a] = M[p * d + a]!;
}
