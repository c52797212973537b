import { matmulNT, spdInverse } from '../../linalg/index.js';
import { addDelayed, type Delayed, flushDelayed, newDelayed } from './delayed.js';
import { composeFolds } from './compose.js';
import { type Fold, type LayerProblem, type RidgeOptions, ridged } from './types.js';

const BLOCK = 32;

/**
 * Working state of the fast greedy. H = (ridged Gram)⁻¹ and K = W Wᵀ are stored once (upper triangle); each removal
 * is a low-rank correction queued in `dh`/`dk` and applied in blocks of BLOCK, while the diagonals are kept exact.
 */
interface FastState {
  n: number;
  d: number;
  H: Float64Array;
  K: Float64Array;
  alive: Uint8Array;
  diagH: Float64Array;
  diagK: Float64Array;
  dh: Delayed;
  dk: Delayed;
  /** Scratch columns of H and K, and the step's fold coefficients c and K update v. */
  hcol: Float64Array;
  kcol: Float64Array;
  c: Float64Array;
  v: Float64Array;
}

export function reapFast(p: LayerProblem, remove: number, opts: RidgeOptions = {}): Fold {
  const n = p.weights.rows;
  if (!(remove >= 0 && remove < n)) throw new Error(`reap: cannot remove ${remove} of ${n} neurons`);
  const st = fastState(p, opts);
  const coefs = new Float64Array(remove * st.d); // row s = c vector of step s over H's index space
  const removed: number[] = [];
  const costs: number[] = [];
  for (let step = 0; step < remove; step++) {
    const { pIdx, best } = cheapest(st);
    eliminate(st, pIdx);
    coefs.set(st.c, step * st.d);
    commit(st, pIdx);
    removed.push(pIdx);
    costs.push(best);
  }
  return composeFolds(n, p.withConst, removed, coefs, costs);
}

function fastState(p: LayerProblem, opts: RidgeOptions): FastState {
  const n = p.weights.rows;
  const d = p.gram.rows;
  const H = spdInverse({ rows: d, cols: d, data: ridged(p, opts.ridge) }).data;
  const K = matmulNT(p.weights, p.weights).data;
  const alive = new Uint8Array(d).fill(1);
  const diagH = Float64Array.from({ length: d }, (_, i) => H[i * d + i]!);
  const diagK = Float64Array.from({ length: n }, (_, i) => K[i * n + i]!);
  // H_true = H − Σ u uᵀ (u = h/√H_pp); K_true = K + Σ (c vᵀ + v cᵀ).
  const dh: Delayed = newDelayed(d, BLOCK, false);
  const dk: Delayed = newDelayed(n, BLOCK, true);
  const hcol = new Float64Array(d),
    kcol = new Float64Array(n),
    c = new Float64Array(d),
    v = new Float64Array(n);
  return { n, d, H, K, alive, diagH, diagK, dh, dk, hcol, kcol, c, v };
}

/** The alive neuron whose removal costs least, K_pp / H_pp (the first one on ties). */
function cheapest({ n, alive, diagK, diagH }: FastState): { pIdx: number; best: number } {
  let pIdx = -1,
    best = Infinity;
  for (let i = 0; i < n; i++) {
    if (!alive[i]) continue;
    const e = diagK[i]! / diagH[i]!;
    if (e < best) {
      best = e;
      pIdx = i;
    }
  }
  return { pIdx, best };
}

/**
 * Folds neuron p into the others: c = −H_{:p}/H_pp are its coefficients; the diagonals get the exact rank-1 / rank-2
 * corrections now, and hcol (as u) and v hold the updates that `commit` queues for the full matrices.
 */
function eliminate(st: FastState, pIdx: number): void {
  const { n, d, alive, diagH, diagK, hcol, kcol, c, v } = st;
  column(st.H, d, pIdx, alive, st.dh, hcol);
  const hpp = hcol[pIdx]!;
  column(st.K, n, pIdx, alive, st.dk, kcol);
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
    if (!alive[i] || i === pIdx) {
      v[i] = 0;
      continue;
    }
    v[i] = kcol[i]! + 0.5 * c[i]! * kpp;
    diagK[i] += 2 * c[i]! * v[i]!;
  }
}

/** Marks p removed and queues this step's updates; a full queue is applied to the stored matrices. */
function commit(st: FastState, pIdx: number): void {
  st.alive[pIdx] = 0;
  addDelayed(st.dh, st.hcol);
  addDelayed(st.dk, st.c.subarray(0, st.n), st.v);
  if (st.dh.count === BLOCK) {
    flushDelayed(st.H, st.dh, st.alive, -1);
    flushDelayed(st.K, st.dk, st.alive, 1);
  }
}

/** Column p of the true matrix (stored upper triangle + queued updates), on alive rows. */
function column(M: Float64Array, d: number, p: number, alive: Uint8Array, q: Delayed, out: Float64Array): void {
  const B = q.block,
    cnt = q.count,
    A = q.a,
    Bv = q.b;
  for (let i = 0; i < d; i++) {
    if (!alive[i]) {
      out[i] = 0;
      continue;
    }
    let s = i <= p ? M[i * d + p]! : M[p * d + i]!;
    const ri = i * B,
      rp = p * B;
    if (Bv) {
      for (let k = 0; k < cnt; k++) s += A[ri + k]! * Bv[rp + k]! + Bv[ri + k]! * A[rp + k]!;
    } else {
      for (let k = 0; k < cnt; k++) s -= A[ri + k]! * A[rp + k]!;
    }
    out[i] = s;
  }
}
