import { cholesky, gram, lowerInverse, mat, matmulNT, qr, transpose, type Mat } from '../../linalg/index.js';
import type { SeededRng } from '../../util/random.js';
import { composeAfter1x1, matmulF32, type ProductOptions } from './compose.js';

/**
 * Factors for an exact linear over-parameterization W = E3 · M · E1 (METHODS.md §3, initialization ours):
 * E1 [r·in, in] and E3 [out, r·out] are random semi-orthogonal (orthonormalized Gaussians, block-structured
 * beyond 256 channels: E1ᵀE1 = I, E3E3ᵀ = I, full rank), and M = E3ᵀ · W · E1ᵀ, so E3·M·E1 = W exactly and no block of M is stuck at zero.
 * Semi-orthogonal factors are their own pseudo-inverses (E1⁺ = (E1ᵀE1)⁻¹E1ᵀ = E1ᵀ, E3⁺ = E3ᵀ), so no inverse is
 * ever formed: that alone was a third of LOP's time on a 2048-wide layer.
 * Why semi-orthogonal: an SGD step on M then moves W = E3·M·E1 by exactly the vanilla step (E3E3ᵀ·∇W·E1ᵀE1 = ∇W);
 * only the E1/E3 paths add the over-parameterization terms (WWᵀ∇W + ∇W·WᵀW). Plain Gaussians with
 * E1ᵀE1 ≈ r·I made the M path r× faster, and LOP + SP-KD diverged at the vanilla learning rate.
 */
export interface ExpansionFactors {
  e1: Mat;
  e3: Mat;
}

export function expansionFactors(inDim: number, outDim: number, rate: number, rng: SeededRng): ExpansionFactors {
  const e1 = semiOrthogonal(Math.ceil(rate * inDim), inDim, rng); // [r·in, in]
  const e3 = transpose(semiOrthogonal(Math.ceil(rate * outDim), outDim, rng)); // [out, r·out]
  return { e1, e3 };
}

/** Widest factor drawn as one dense Gaussian QR; wider ones are built from blocks of about this many columns. */
export const DENSE_FACTOR_MAX = 256;

/**
 * An m×n matrix (m ≥ n) with orthonormal columns. Up to DENSE_FACTOR_MAX columns: an orthonormalized Gaussian.
 * Wider: a block diagonal of such Gaussians (about DENSE_FACTOR_MAX columns each) with rows and columns randomly
 * permuted — still exactly semi-orthogonal, every channel mixed with a few hundred others, at 1/(blocks) of the QR
 * cost. A dense 4096×2048 factor cost ~50 GFLOP, most of LOP expand's time on ResNet-50's 2048-wide layers.
 */
export function semiOrthogonal(m: number, n: number, rng: SeededRng): Mat {
  const blocks = Math.ceil(n / DENSE_FACTOR_MAX);
  const cuts = (total: number) => Array.from({ length: blocks + 1 }, (_, b) => Math.round((b * total) / blocks));
  const [rowCuts, colCuts] = [cuts(m), cuts(n)];
  const tallEnough = rowCuts.every((r, b) => b === 0 || r - rowCuts[b - 1]! >= colCuts[b]! - colCuts[b - 1]!);
  if (blocks === 1 || !tallEnough) return orthonormalColumns(gaussian(m, n, 1, rng));
  const rowOf = permutation(m, rng),
    colOf = permutation(n, rng);
  const out = mat(m, n);
  for (let b = 0; b < blocks; b++) {
    const [r0, c0] = [rowCuts[b]!, colCuts[b]!];
    const q = orthonormalColumns(gaussian(rowCuts[b + 1]! - r0, colCuts[b + 1]! - c0, 1, rng));
    for (let i = 0; i < q.rows; i++)
      for (let j = 0; j < q.cols; j++) out.data[rowOf[r0 + i]! * n + colOf[c0 + j]!] = q.data[i * q.cols + j]!;
  }
  return out;
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
function permutation(n: number, rng: SeededRng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/**
 * The Q of a thin QR of a tall Gaussian g (m ≥ n), up to column signs. Cholesky QR (Q = G·L⁻ᵀ with GᵀG = L·Lᵀ)
 * runs in the blocked GEMM kernel, many times faster than Householder's memory-bound reflector sweeps on an
 * 8192×2048 factor; it is repeated once (CholeskyQR2), which makes Q orthonormal to rounding for any condition
 * number a random Gaussian has (once suffices for tall ones). Householder stays the fallback if a Gram matrix is not numerically SPD.
 */
export function orthonormalColumns(g: Mat): Mat {
  let q = g;
  // A Gaussian at least twice as tall as wide has condition number below ~6, where one pass is orthonormal to
  // ~1e-14 already; squarer ones (rate < 2) get the second pass.
  const passes = g.rows >= 2 * g.cols ? 1 : 2;
  for (let pass = 0; pass < passes; pass++) {
    const next = choleskyQrStep(q);
    if (!next) return qr(g).q;
    q = next;
  }
  return q;
}

function choleskyQrStep(g: Mat): Mat | null {
  const l = cholesky(gram(g));
  if (!l) return null;
  return matmulNT(g, lowerInverse(l)); // G·(L⁻¹)ᵀ
}

/**
 * M = E3ᵀ · W · E1ᵀ for every kernel tap at once. `w` is the weight as stored, [out, in, taps] (taps = 1 for a
 * matrix); the result is [r·out, r·in, taps] in the same layout. A = E3ᵀ·W is one product over all taps, then
 * M[o, :, t] = E1·A[o, :, t] is `composeAfter1x1` (one product over rows (o, t)); both in ORT when big.
 */
export async function middleWeights(
  f: ExpansionFactors,
  w: Float32Array,
  taps: number,
  o: ProductOptions = {},
): Promise<Float32Array> {
  const out = f.e3.rows,
    midOut = f.e3.cols,
    midIn = f.e1.rows,
    inDim = f.e1.cols;
  const e3t = Float32Array.from(transpose(f.e3).data); // [r·out, out]
  const a = await matmulF32(e3t, w, midOut, out, inDim * taps, o); // [r·out, in, taps]
  const e1t = Float32Array.from(transpose(f.e1).data); // [in, r·in]
  return composeAfter1x1(a, e1t, midOut, inDim, midIn, taps, o);
}

function gaussian(rows: number, cols: number, std: number, rng: SeededRng): Mat {
  const m = mat(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal() * std;
  return m;
}
