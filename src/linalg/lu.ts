/**
 * LU factorization with partial pivoting (P·A = L·U) for general square systems.
 * Right-looking elimination: each update is an axpy over a contiguous row.
 */
import { type Mat, eye } from './matrix.js';

export interface LU {
  /** n×n: strictly-lower part is L (unit diagonal implied), upper part is U. */
  lu: Mat;
  /** perm[i] = original row index that ended up in row i. */
  perm: Int32Array;
  /** +1 or −1: parity of the row swaps (for the determinant). */
  sign: number;
  /** True when a pivot was exactly zero (A singular); solve() will throw. */
  singular: boolean;
}

export function luFactor(a: Mat): LU {
  if (a.rows !== a.cols) throw new Error(`luFactor: matrix is ${a.rows}x${a.cols}, expected square`);
  const n = a.rows;
  const A = a.data.slice();
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let sign = 1;
  let singular = false;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(A[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(A[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (p !== k) {
      const rk = k * n,
        rp = p * n;
      for (let j = 0; j < n; j++) {
        const t = A[rk + j];
        A[rk + j] = A[rp + j];
        A[rp + j] = t;
      }
      const t = perm[k];
      perm[k] = perm[p];
      perm[p] = t;
      sign = -sign;
    }
    const rk = k * n;
    const piv = A[rk + k];
    if (piv === 0) {
      singular = true;
      continue;
    }
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const f = A[ri + k] / piv;
      A[ri + k] = f;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) A[ri + j] -= f * A[rk + j];
    }
  }
  return { lu: { rows: n, cols: n, data: A }, perm, sign, singular };
}

/** Solve A·X = B given luFactor(A); B is n×k. */
export function luSolve(f: LU, b: Mat): Mat {
  const n = f.lu.rows;
  if (b.rows !== n) throw new Error(`luSolve: system is ${n}x${n}, right side has ${b.rows} rows`);
  if (f.singular) throw new Error(`luSolve: ${n}x${n} matrix is singular`);
  const k = b.cols;
  const LU = f.lu.data;
  const X = new Float64Array(n * k);
  for (let i = 0; i < n; i++) X.set(b.data.subarray(f.perm[i] * k, (f.perm[i] + 1) * k), i * k);
  for (let i = 0; i < n; i++) {
    const xi = i * k;
    for (let p = 0; p < i; p++) {
      const l = LU[i * n + p];
      if (l === 0) continue;
      const xp = p * k;
      for (let c = 0; c < k; c++) X[xi + c] -= l * X[xp + c];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    const xi = i * k;
    for (let p = i + 1; p < n; p++) {
      const u = LU[i * n + p];
      if (u === 0) continue;
      const xp = p * k;
      for (let c = 0; c < k; c++) X[xi + c] -= u * X[xp + c];
    }
    const inv = 1 / LU[i * n + i];
    for (let c = 0; c < k; c++) X[xi + c] *= inv;
  }
  return { rows: n, cols: k, data: X };
}

/** Solve A·X = B for square A (partial pivoting). Throws if A is exactly singular. */
export function solve(a: Mat, b: Mat): Mat {
  return luSolve(luFactor(a), b);
}

/** A⁻¹ for a general square matrix. Prefer spdInverse for SPD matrices (2× faster, symmetric result). */
export function inverse(a: Mat): Mat {
  return luSolve(luFactor(a), eye(a.rows));
}

export function det(a: Mat): number {
  const f = luFactor(a);
  if (f.singular) return 0;
  let d = f.sign;
  for (let i = 0; i < a.rows; i++) d *= f.lu.data[i * a.rows + i];
  return d;
}
