/**
 * Matrix products, all routed through the register-blocked gemmNT kernel (C = A·Btᵀ).
 * Operands that are not already "rows of the right factor" are transposed first: O(n²) extra
 * work and memory against O(n³) for the product.
 */
import { type Mat, mat, dot, transpose } from './matrix.js';
import { gemmNT } from './gemm.js';

/** a·b. */
export function matmul(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows) throw new Error(`matmul: ${a.rows}x${a.cols} times ${b.rows}x${b.cols}`);
  const out = mat(a.rows, b.cols);
  gemmNT(a.data, transpose(b).data, out.data, a.rows, b.cols, a.cols);
  return out;
}

/** aᵀ·b (a is K×m, b is K×n). */
export function matmulTN(a: Mat, b: Mat): Mat {
  if (a.rows !== b.rows) throw new Error(`matmulTN: (${a.rows}x${a.cols})ᵀ times ${b.rows}x${b.cols}`);
  const out = mat(a.cols, b.cols);
  const at = transpose(a);
  const bt = a === b ? at : transpose(b);
  gemmNT(at.data, bt.data, out.data, a.cols, b.cols, a.rows);
  return out;
}

/** a·bᵀ (a is m×K, b is n×K): no transposes needed. */
export function matmulNT(a: Mat, b: Mat): Mat {
  if (a.cols !== b.cols) throw new Error(`matmulNT: ${a.rows}x${a.cols} times (${b.rows}x${b.cols})ᵀ`);
  const out = mat(a.rows, b.rows);
  gemmNT(a.data, b.data, out.data, a.rows, b.rows, a.cols);
  return out;
}

/** Gram matrix aᵀa (e.g. BᵀB of neuron behaviours). Computes the upper triangle once and mirrors it. */
export function gram(a: Mat): Mat {
  const n = a.cols;
  const at = transpose(a);
  const g = mat(n, n);
  gemmNT(at.data, at.data, g.data, n, n, a.rows, true);
  mirrorUpper(g);
  return g;
}

/** a·aᵀ (row Gram, e.g. SP-KD similarity F·Fᵀ). Symmetric like gram. */
export function gramRows(a: Mat): Mat {
  const m = a.rows;
  const g = mat(m, m);
  gemmNT(a.data, a.data, g.data, m, m, a.cols, true);
  mirrorUpper(g);
  return g;
}

function mirrorUpper(g: Mat): void {
  const n = g.cols;
  for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) g.data[i * n + j] = g.data[j * n + i];
}

/** a·x for a vector x. */
export function matvec(a: Mat, x: ArrayLike<number>): Float64Array {
  if (a.cols !== x.length) throw new Error(`matvec: ${a.rows}x${a.cols} times vector of ${x.length}`);
  const xv = x instanceof Float64Array ? x : Float64Array.from(x);
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) out[i] = dot(a.data, i * a.cols, xv, 0, a.cols);
  return out;
}

/** aᵀ·x for a vector x (x has a.rows entries). */
export function matvecT(a: Mat, x: ArrayLike<number>): Float64Array {
  if (a.rows !== x.length) throw new Error(`matvecT: (${a.rows}x${a.cols})ᵀ times vector of ${x.length}`);
  const out = new Float64Array(a.cols);
  for (let i = 0; i < a.rows; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const ro = i * a.cols;
    for (let j = 0; j < a.cols; j++) out[j] += xi * a.data[ro + j];
  }
  return out;
}
