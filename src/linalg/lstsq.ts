/**
 * Least squares min ‖A·X − B‖_F (B may have many columns, one problem per column).
 * Full-rank tall A: Householder QR (no squaring of the condition number).
 * Rank-deficient or wide A: minimum-norm solution via the pseudo-inverse.
 * ridge > 0: min ‖A·X − B‖² + ridge·‖X‖², solved as QR of the stacked [A; √ridge·I].
 */
import { type Mat, mat } from './matrix.js';
import { matmul } from './matmul.js';
import { qrFactor, qrApplyQt, qrFullRank, solveUpper } from './qr.js';
import { pinv } from './pinv.js';

export interface LstsqOptions {
  /** Absolute Tikhonov weight λ ≥ 0 (default 0). */
  ridge?: number;
  /** Relative threshold on |R_ii| (and on singular values) below which A counts as rank-deficient. Default 1e-12. */
  rcond?: number;
}

export function lstsq(a: Mat, b: Mat, opts: LstsqOptions = {}): Mat {
  if (a.rows !== b.rows) throw new Error(`lstsq: A is ${a.rows}x${a.cols} but B has ${b.rows} rows`);
  const ridge = opts.ridge ?? 0;
  const rcond = opts.rcond ?? 1e-12;
  if (ridge < 0) throw new Error(`lstsq: ridge must be >= 0, got ${ridge}`);
  if (ridge > 0) {
    const m = a.rows,
      n = a.cols,
      c = b.cols;
    const aa = mat(m + n, n);
    aa.data.set(a.data);
    const sq = Math.sqrt(ridge);
    for (let i = 0; i < n; i++) aa.data[(m + i) * n + i] = sq;
    const bb = mat(m + n, c);
    bb.data.set(b.data);
    return lstsq(aa, bb, { rcond });
  }
  if (a.rows >= a.cols) {
    const f = qrFactor(a);
    if (qrFullRank(f, rcond)) return solveUpper(f.r, qrApplyQt(f, b), a.cols);
  }
  return matmul(pinv(a, { rtol: rcond }), b);
}
