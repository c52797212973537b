/**
 * Inverse of a symmetric positive definite matrix, blocked so that most of its ~n³/2 multiply-adds run in the
 * register-blocked gemm kernel instead of the dot loops of `spdInverseDirect`: REAP's H = G⁻¹ on ConvNeXt's
 * 3,072-wide MLP groups (REAP's selection 1.4–1.7× faster at n = 2048–3072, docs/bench/reap.md). The route is the
 * Cholesky one, by blocks — A = L·Lᵀ recursively (L21 = A21·L11⁻ᵀ by a blocked triangular solve,
 * S = A22 − L21·L21ᵀ), W = L⁻¹ recursively, A⁻¹ = Wᵀ·W without touching W's zero triangle — so it is as stable as
 * the unblocked route (a Schur complement through an explicit A11⁻¹ lost ~3 more digits on ridged rank-deficient
 * Grams). Matrices of up to DIRECT_MAX rows take `spdInverseDirect`, so small ones give exactly the results they did.
 */
import { cholesky, lowerInverse, spdInverseDirect } from './cholesky.js';
import { gemmNT } from './gemm.js';
import { dot, type Mat, mat, transpose } from './matrix.js';

/** Matrices up to this size take the unblocked route (unchanged results for every layer that small). */
const DIRECT_MAX = 256;
/** Blocks of the Cholesky recursion factored by the unblocked kernel. */
const LEAF = 64;
/** Below this many columns the triangular solve runs as row-by-row substitution. */
const SOLVE_LEAF = 64;

/** Rows r0..r1 × columns c0..c1 of a, as a new matrix. */
function block(a: Mat, r0: number, r1: number, c0: number, c1: number): Mat {
  const out = mat(r1 - r0, c1 - c0);
  for (let i = r0; i < r1; i++) out.data.set(a.data.subarray(i * a.cols + c0, i * a.cols + c1), (i - r0) * out.cols);
  return out;
}

/** Write b into a at (r0, c0). */
function put(a: Mat, b: Mat, r0: number, c0: number): void {
  for (let i = 0; i < b.rows; i++) a.data.set(b.data.subarray(i * b.cols, (i + 1) * b.cols), (r0 + i) * a.cols + c0);
}

/** A split point near the middle, a multiple of 4 (whole 4×4 blocks for the gemm kernel). */
const half = (n: number) => Math.max(4, (n >> 3) << 2);

/** A⁻¹ for SPD A (exactly symmetric; only A's lower triangle is read). Throws when A is not positive definite. */
export function spdInverse(a: Mat): Mat {
  if (a.rows !== a.cols) throw new Error(`spdInverse: matrix is ${a.rows}x${a.cols}, expected square`);
  const n = a.rows;
  if (n <= DIRECT_MAX) return spdInverseDirect(a);
  let l: Mat;
  try {
    l = choleskyBlocked(a);
  } catch {
    // A block's failure says nothing of where it sits in A: name A itself.
    throw new Error(`cholesky: ${n}x${n} matrix is not symmetric positive definite (add a ridge)`);
  }
  return lowerGram(lowerInverseBlocked(l));
}

/**
 * Wᵀ·W for lower-triangular W, by halves so no product runs over W's zero triangle:
 * [W11ᵀW11 + W21ᵀW21, (W22ᵀW21)ᵀ; W22ᵀW21, W22ᵀW22]. Exactly symmetric.
 */
function lowerGram(w: Mat): Mat {
  const n = w.rows;
  if (n <= SOLVE_LEAF) return lowerGramDirect(w);
  const n1 = half(n);
  const n2 = n - n1;
  const h = mat(n, n);
  const h11 = lowerGram(block(w, 0, n1, 0, n1));
  const w21t = transpose(block(w, n1, n, 0, n1));
  gemmNT(w21t.data, w21t.data, h11.data, n1, n1, n2, true);
  // H21 = W22ᵀ·W21: rows of W22ᵀ against rows of W21ᵀ.
  const h21 = mat(n2, n1);
  gemmNT(transpose(block(w, n1, n, n1, n)).data, w21t.data, h21.data, n2, n1, n2);
  for (let i = 0; i < n1; i++)
    for (let j = i; j < n1; j++) h.data[i * n + j] = h.data[j * n + i] = h11.data[i * n1 + j]!;
  for (let i = 0; i < n2; i++)
    for (let j = 0; j < n1; j++) h.data[(n1 + i) * n + j] = h.data[j * n + n1 + i] = h21.data[i * n1 + j]!;
  put(h, lowerGram(block(w, n1, n, n1, n)), n1, n1);
  return h;
}

/** Wᵀ·W of a small lower W: H[i][j] = Σ_{k ≥ max(i,j)} W[k][i]·W[k][j], over rows of Wᵀ. */
function lowerGramDirect(w: Mat): Mat {
  const n = w.rows;
  const wt = transpose(w).data;
  const h = mat(n, n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) h.data[i * n + j] = h.data[j * n + i] = dot(wt, i * n + j, wt, j * n + j, n - j);
  return h;
}

/** Lower L with A = L·Lᵀ, by halves. Throws when A is not positive definite. */
function choleskyBlocked(a: Mat): Mat {
  const n = a.rows;
  if (n <= LEAF) {
    const l = cholesky(a);
    if (l === null) throw new Error('not positive definite');
    return l;
  }
  const n1 = half(n);
  const l11 = choleskyBlocked(block(a, 0, n1, 0, n1));
  const l21 = solveLowerT(block(a, n1, n, 0, n1), l11);
  // S = A22 − L21·L21ᵀ: the gemm's upper triangle subtracted from A22's lower one (only it is read).
  const n2 = n - n1;
  const p = mat(n2, n2);
  gemmNT(l21.data, l21.data, p.data, n2, n2, n1, true);
  const s = block(a, n1, n, n1, n);
  for (let i = 0; i < n2; i++)
    for (let j = i; j < n2; j++) s.data[j * n2 + i] = s.data[j * n2 + i]! - p.data[i * n2 + j]!;
  const l22 = choleskyBlocked(s);
  const l = mat(n, n);
  put(l, l11, 0, 0);
  put(l, l21, n1, 0);
  put(l, l22, n1, n1);
  return l;
}

/** X with X·Lᵀ = B (B is m×k, L is k×k lower): by halves of k, the coupling term through gemm. */
function solveLowerT(b: Mat, l: Mat): Mat {
  const k = l.rows;
  if (k <= SOLVE_LEAF) return substituteLowerT(b, l);
  const m = b.rows;
  const k1 = half(k);
  const xa = solveLowerT(block(b, 0, m, 0, k1), block(l, 0, k1, 0, k1));
  // Xb·Lcᵀ = Bb − Xa·Lbᵀ.
  const rhs = block(b, 0, m, k1, k);
  const t = mat(m, k - k1);
  gemmNT(xa.data, block(l, k1, k, 0, k1).data, t.data, m, k - k1, k1);
  for (let i = 0; i < rhs.data.length; i++) rhs.data[i] = rhs.data[i]! - t.data[i]!;
  const xb = solveLowerT(rhs, block(l, k1, k, k1, k));
  const x = mat(m, k);
  put(x, xa, 0, 0);
  put(x, xb, 0, k1);
  return x;
}

/** Row-by-row substitution: X[r][j] = (B[r][j] − Σ_{p<j} X[r][p]·L[j][p]) / L[j][j]; contiguous row prefixes. */
function substituteLowerT(b: Mat, l: Mat): Mat {
  const k = l.rows;
  const x = { rows: b.rows, cols: k, data: b.data.slice() };
  const X = x.data;
  const L = l.data;
  for (let r = 0; r < b.rows; r++) {
    const xr = r * k;
    for (let j = 0; j < k; j++) X[xr + j] = (X[xr + j]! - dot(X, xr, L, j * k, j)) / L[j * k + j]!;
  }
  return x;
}

/** W = L⁻¹ for lower L, by halves: W11 = L11⁻¹, W22 = L22⁻¹, W21 = −W22·L21·W11. */
function lowerInverseBlocked(l: Mat): Mat {
  const n = l.rows;
  if (n <= SOLVE_LEAF) return lowerInverse(l);
  const n1 = half(n);
  const n2 = n - n1;
  const w11 = lowerInverseBlocked(block(l, 0, n1, 0, n1));
  const w22 = lowerInverseBlocked(block(l, n1, n, n1, n));
  // T = L21·W11 (n2×n1), then W21 = −W22·T.
  const t = mat(n2, n1);
  gemmNT(block(l, n1, n, 0, n1).data, transpose(w11).data, t.data, n2, n1, n1);
  const w21 = mat(n2, n1);
  gemmNT(w22.data, transpose(t).data, w21.data, n2, n1, n2);
  for (let i = 0; i < w21.data.length; i++) w21.data[i] = -w21.data[i]!;
  const w = mat(n, n);
  put(w, w11, 0, 0);
  put(w, w21, n1, 0);
  put(w, w22, n1, n1);
  return w;
}
