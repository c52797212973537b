/** Moore–Penrose pseudo-inverse via SVD. */
import { type Mat, mat, transpose } from './matrix.js';
import { matmul } from './matmul.js';
import { svd, singularValues } from './svd.js';

const EPS = 2.220446049250313e-16;

export interface PinvOptions {
  /** Singular values ≤ rtol·σ_max are treated as zero. Default max(m, n)·ε (as NumPy/MATLAB). */
  rtol?: number;
}

/** A⁺ (n×m) for A (m×n). */
export function pinv(a: Mat, opts: PinvOptions = {}): Mat {
  const { u, s, v } = svd(a);
  const rtol = opts.rtol ?? Math.max(a.rows, a.cols) * EPS;
  const cutoff = (s[0] ?? 0) * rtol;
  const k = s.length;
  // V·diag(1/s)·Uᵀ, dropping the (numerically) zero singular values.
  const vs = mat(v.rows, k, v.data);
  for (let j = 0; j < k; j++) {
    const f = s[j] > cutoff ? 1 / s[j] : 0;
    for (let i = 0; i < v.rows; i++) vs.data[i * k + j] *= f;
  }
  return matmul(vs, transpose(u));
}

/** Numerical rank: number of singular values above rtol·σ_max. */
export function rank(a: Mat, rtol = Math.max(a.rows, a.cols) * EPS): number {
  const s = singularValues(a);
  const cutoff = (s[0] ?? 0) * rtol;
  let r = 0;
  for (const x of s) if (x > cutoff) r++;
  return r;
}
