/**
 * Cholesky factorization A = L·Lᵀ for symmetric positive definite A, and what it buys:
 * SPD solves, SPD inverse (REAP's H = G⁻¹ at n = 2048) and the relative ridge for Gram matrices.
 * Every inner loop is a dot product over contiguous row prefixes of row-major storage.
 */
import { type Mat, mat, dot, trace } from './matrix.js';

function assertSquare(a: Mat, op: string): void {
  if (a.rows !== a.cols) throw new Error(`${op}: matrix is ${a.rows}x${a.cols}, expected square`);
}

/**
 * Lower-triangular L with A = L·Lᵀ (upper triangle of the result is zero). Only the lower triangle of A is read.
 * Returns null when A is not (numerically) positive definite.
 */
export function cholesky(a: Mat): Mat | null {
  assertSquare(a, 'cholesky');
  const n = a.rows;
  const A = a.data;
  const l = mat(n, n);
  const L = l.data;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < i; j++) {
      const rj = j * n;
      L[ri + j] = (A[ri + j] - dot(L, ri, L, rj, j)) / L[rj + j];
    }
    const d = A[ri + i] - dot(L, ri, L, ri, i);
    if (!(d > 0) || !Number.isFinite(d)) return null;
    L[ri + i] = Math.sqrt(d);
  }
  return l;
}

/** Like cholesky but throws a plain Error (callers wrap it in a ReproError with user context). */
export function choleskyOrThrow(a: Mat): Mat {
  const l = cholesky(a);
  if (l === null)
    throw new Error(`cholesky: ${a.rows}x${a.cols} matrix is not symmetric positive definite (add a ridge)`);
  return l;
}

/** Solve (L·Lᵀ)·X = B given the Cholesky factor L; B is n×k. */
export function choleskySolve(l: Mat, b: Mat): Mat {
  const n = l.rows;
  if (b.rows !== n) throw new Error(`choleskySolve: factor is ${n}x${n}, right side has ${b.rows} rows`);
  const k = b.cols;
  const L = l.data;
  const X = b.data.slice();
  // Forward: L·Y = B, row by row; Y overwrites X.
  for (let i = 0; i < n; i++) {
    const ri = i * n,
      xi = i * k;
    for (let p = 0; p < i; p++) {
      const lip = L[ri + p];
      if (lip === 0) continue;
      const xp = p * k;
      for (let c = 0; c < k; c++) X[xi + c] -= lip * X[xp + c];
    }
    const inv = 1 / L[ri + i];
    for (let c = 0; c < k; c++) X[xi + c] *= inv;
  }
  // Backward: Lᵀ·X = Y, bottom row first; Lᵀ[i][p] = L[p][i].
  for (let i = n - 1; i >= 0; i--) {
    const xi = i * k;
    for (let p = i + 1; p < n; p++) {
      const lpi = L[p * n + i];
      if (lpi === 0) continue;
      const xp = p * k;
      for (let c = 0; c < k; c++) X[xi + c] -= lpi * X[xp + c];
    }
    const inv = 1 / L[i * n + i];
    for (let c = 0; c < k; c++) X[xi + c] *= inv;
  }
  return { rows: n, cols: k, data: X };
}

/**
 * Inverse of an SPD matrix via Cholesky: A⁻¹ = L⁻ᵀ·L⁻¹. About n³ flops in three contiguous-dot phases.
 * Throws if A is not positive definite. The result is exactly symmetric. `spdInverse` (spd-inverse.ts) uses it for
 * blocks up to 256 and splits larger matrices into products for the gemm kernel.
 */
export function spdInverseDirect(a: Mat): Mat {
  const l = choleskyOrThrow(a);
  const n = a.rows;
  const L = l.data;
  // W = L⁻¹ is lower triangular; store Wt = Wᵀ (upper) so that column j of W is the contiguous row j of Wt.
  // W[i][j] = (δij − Σ_{k=j..i−1} L[i][k]·W[k][j]) / L[i][i].
  const Wt = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    Wt[rj + j] = 1 / L[rj + j];
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      Wt[rj + i] = -dot(L, ri + j, Wt, rj + j, i - j) / L[ri + i];
    }
  }
  // A⁻¹[i][j] = Σ_{k≥max(i,j)} W[k][i]·W[k][j] = dot of rows i and j of Wt over k ≥ j (for j ≥ i).
  const inv = mat(n, n);
  const H = inv.data;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = i; j < n; j++) {
      const rj = j * n;
      const v = dot(Wt, ri + j, Wt, rj + j, n - j);
      H[ri + j] = v;
      H[rj + i] = v;
    }
  }
  return inv;
}

/** L⁻¹ of a lower-triangular L (row-major), row by row: X[i,:] = −(Σ_{k<i} L[i,k]·X[k,:]) / L[i,i], rows contiguous. */
export function lowerInverse(l: Mat): Mat {
  const n = l.rows;
  const L = l.data;
  const inv = mat(n, n);
  const X = inv.data;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < i; k++) {
      const lik = L[ri + k]!;
      if (lik === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) X[ri + j]! -= lik * X[rk + j]!;
    }
    const d = L[ri + i]!;
    for (let j = 0; j < i; j++) X[ri + j] = X[ri + j]! / d;
    X[ri + i] = 1 / d;
  }
  return inv;
}

/** log det(A) for SPD A (via Cholesky); null if not positive definite. */
export function spdLogDet(a: Mat): number | null {
  const l = cholesky(a);
  if (l === null) return null;
  let s = 0;
  for (let i = 0; i < a.rows; i++) s += Math.log(l.data[i * a.rows + i]);
  return 2 * s;
}

/**
 * G + λI with λ = lambdaRel·tr(G)/n (the relative ridge of METHODS.md §2, e.g. lambdaRel = 1e-6).
 * Falls back to λ = lambdaRel when the trace is zero, so an all-zero Gram still becomes SPD.
 */
export function gramRidge(g: Mat, lambdaRel: number): Mat {
  assertSquare(g, 'gramRidge');
  const n = g.rows;
  const tr = trace(g);
  const lambda = tr > 0 ? (lambdaRel * tr) / n : lambdaRel;
  const out = { rows: n, cols: n, data: g.data.slice() };
  for (let i = 0; i < n; i++) out.data[i * n + i] += lambda;
  return out;
}
