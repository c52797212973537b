/**
 * Householder QR (thin) and least squares.
 * Reflectors are applied row-wise (w = vᵀA as a sum of scaled rows, then rank-1 update per row),
 * so every inner loop runs over a contiguous row of the row-major matrix.
 */
import { type Mat, mat, dot } from './matrix.js';

/** Compact Householder form: R in the upper triangle of `qr`, reflector k stored as row k of `v`. */
export interface QRFactor {
  m: number;
  n: number;
  /** min(m, n) */
  k: number;
  /** m×n working matrix whose upper trapezoid is R. */
  r: Mat;
  /** k×m: row j holds reflector v_j (zero before index j); H_j = I − beta_j·v_j·v_jᵀ. */
  v: Float64Array;
  beta: Float64Array;
  /** Column permutation P (identity without pivoting): column j of R belongs to column perm[j] of A. */
  perm: Int32Array;
}

/** Apply H = I − beta·v·vᵀ (v nonzero from index `from`) to rows from.. of X (m×w), columns c0..w. */
function applyReflector(
  X: Float64Array,
  w: number,
  c0: number,
  v: Float64Array,
  vOff: number,
  from: number,
  m: number,
  beta: number,
  tmp: Float64Array,
): void {
  if (beta === 0) return;
  tmp.fill(0, c0, w);
  for (let i = from; i < m; i++) {
    const vi = v[vOff + i];
    if (vi === 0) continue;
    const ri = i * w;
    for (let j = c0; j < w; j++) tmp[j] += vi * X[ri + j];
  }
  for (let i = from; i < m; i++) {
    const f = beta * v[vOff + i];
    if (f === 0) continue;
    const ri = i * w;
    for (let j = c0; j < w; j++) X[ri + j] -= f * tmp[j];
  }
}

/**
 * Householder QR of A (m×n). With `pivot`, columns are greedily reordered (largest remaining norm first,
 * Businger–Golub) so A·P = Q·R with |R_00| ≥ |R_11| ≥ …; `perm[j]` is the original index of column j.
 */
export function qrFactor(a: Mat, pivot = false): QRFactor {
  const m = a.rows,
    n = a.cols,
    k = Math.min(m, n);
  const R = a.data.slice();
  const v = new Float64Array(k * m);
  const beta = new Float64Array(k);
  const tmp = new Float64Array(n);
  const perm = new Int32Array(n);
  for (let j = 0; j < n; j++) perm[j] = j;
  const colNorm2 = new Float64Array(n);
  if (pivot) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) colNorm2[j] += R[i * n + j] ** 2;
  for (let j = 0; j < k; j++) {
    if (pivot) {
      // Recompute the remaining norms exactly (O(mn) per step is fine next to the O(mn) reflector update).
      let best = j;
      for (let c = j; c < n; c++) {
        let s2 = 0;
        for (let i = j; i < m; i++) s2 += R[i * n + c] ** 2;
        colNorm2[c] = s2;
        if (s2 > colNorm2[best]) best = c;
      }
      if (best !== j) {
        for (let i = 0; i < m; i++) {
          const t = R[i * n + j];
          R[i * n + j] = R[i * n + best];
          R[i * n + best] = t;
        }
        const t = perm[j];
        perm[j] = perm[best];
        perm[best] = t;
      }
    }
    const vo = j * m;
    let mx = 0;
    for (let i = j; i < m; i++) mx = Math.max(mx, Math.abs(R[i * n + j]));
    if (mx === 0) continue; // column already zero below the diagonal: H_j = I
    let s = 0;
    for (let i = j; i < m; i++) {
      const x = R[i * n + j] / mx;
      v[vo + i] = R[i * n + j];
      s += x * x;
    }
    const norm = mx * Math.sqrt(s);
    const alpha = R[j * n + j] >= 0 ? -norm : norm; // sign chosen to avoid cancellation in v_j
    v[vo + j] -= alpha;
    const vtv = dot(v, vo + j, v, vo + j, m - j);
    beta[j] = vtv > 0 ? 2 / vtv : 0;
    applyReflector(R, n, j + 1, v, vo, j, m, beta[j], tmp);
    R[j * n + j] = alpha;
    for (let i = j + 1; i < m; i++) R[i * n + j] = 0;
  }
  return { m, n, k, r: { rows: m, cols: n, data: R }, v, beta, perm };
}

/** The k×n upper-trapezoidal R. */
export function qrR(f: QRFactor): Mat {
  const out = mat(f.k, f.n);
  for (let i = 0; i < f.k; i++) {
    for (let j = i; j < f.n; j++) out.data[i * f.n + j] = f.r.data[i * f.n + j];
  }
  return out;
}

/** The thin m×k Q with orthonormal columns: Q = H_0·…·H_{k−1}·[I; 0]. */
export function qrQ(f: QRFactor): Mat {
  const { m, k } = f;
  const q = mat(m, k);
  for (let i = 0; i < k; i++) q.data[i * k + i] = 1;
  const tmp = new Float64Array(k);
  for (let j = k - 1; j >= 0; j--) applyReflector(q.data, k, j, f.v, j * m, j, m, f.beta[j], tmp);
  return q;
}

/** Qᵀ·B (full m×c result; its first k rows are the thin-Q projection). */
export function qrApplyQt(f: QRFactor, b: Mat): Mat {
  if (b.rows !== f.m) throw new Error(`qrApplyQt: Q has ${f.m} rows, B has ${b.rows}`);
  const X = b.data.slice();
  const tmp = new Float64Array(b.cols);
  for (let j = 0; j < f.k; j++) applyReflector(X, b.cols, 0, f.v, j * f.m, j, f.m, f.beta[j], tmp);
  return { rows: b.rows, cols: b.cols, data: X };
}

/** Thin QR: A (m×n) = Q (m×k) · R (k×n), k = min(m, n). */
export function qr(a: Mat): { q: Mat; r: Mat } {
  const f = qrFactor(a);
  return { q: qrQ(f), r: qrR(f) };
}

/** Solve R·X = Y for the leading n×n upper triangle of `r` (row stride r.cols); Y is n×c (first n rows used). */
export function solveUpper(r: Mat, y: Mat, n = r.cols): Mat {
  const c = y.cols,
    ld = r.cols;
  const R = r.data;
  const X = new Float64Array(n * c);
  X.set(y.data.subarray(0, n * c));
  for (let i = n - 1; i >= 0; i--) {
    const xi = i * c;
    for (let p = i + 1; p < n; p++) {
      const u = R[i * ld + p];
      if (u === 0) continue;
      const xp = p * c;
      for (let col = 0; col < c; col++) X[xi + col] -= u * X[xp + col];
    }
    const d = R[i * ld + i];
    if (d === 0) throw new Error(`solveUpper: zero on the diagonal at ${i} (rank-deficient)`);
    for (let col = 0; col < c; col++) X[xi + col] /= d;
  }
  return { rows: n, cols: c, data: X };
}

/**
 * Full-rank check used by lstsq: true when every |R_ii| exceeds rcond·max|R_jj|.
 * (Unpivoted QR can miss some rank deficiencies; lstsq then still returns a valid least-squares solution.)
 */
export function qrFullRank(f: QRFactor, rcond: number): boolean {
  let mx = 0;
  for (let i = 0; i < f.k; i++) mx = Math.max(mx, Math.abs(f.r.data[i * f.n + i]));
  if (mx === 0) return false;
  for (let i = 0; i < f.k; i++) if (Math.abs(f.r.data[i * f.n + i]) <= rcond * mx) return false;
  return true;
}
