/**
 * C += A·Btᵀ (gemmNT), the product every matrix product in reprune goes through: large ones split their rows
 * between this thread and a worker (gemm-parallel.ts), the rest run here; both run the kernel of gemm-kernel.ts.
 */
import { gemmInParallel } from './gemm-parallel.js';
import { gemmRows } from './gemm-kernel.js';

/**
 * C[i][j] += Σ_k A[i][k]·Bt[j][k] for i < m, j < n. With `upperOnly`, only entries with j ≥ i are
 * guaranteed (whole 4×4 blocks touching the diagonal are computed), which halves the work for Gram matrices.
 */
export function gemmNT(
  A: Float64Array,
  Bt: Float64Array,
  C: Float64Array,
  m: number,
  n: number,
  K: number,
  upperOnly = false,
): void {
  const p = { A, Bt, C, m, n, K, upperOnly };
  if (!gemmInParallel(p)) gemmRows(p, 0, m);
}
