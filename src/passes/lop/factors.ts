import { matmul, matmulNT, matmulTN, mat, qr, spdInverse, transpose, type Mat } from '../../linalg/index.js';
import type { SeededRng } from '../../util/random.js';

/**
 * Factors for an exact linear over-parameterization W = E3 · M · E1 (METHODS.md §3, initialization ours):
 * E1 [r·in, in] and E3 [out, r·out] are random semi-orthogonal (orthonormalized Gaussians: E1ᵀE1 = I,
 * E3E3ᵀ = I, full rank), and M = E3⁺ · W · E1⁺ with E1⁺ = (E1ᵀE1)⁻¹E1ᵀ and E3⁺ = E3ᵀ(E3E3ᵀ)⁻¹, so
 * E3·M·E1 = W exactly and no block of M is stuck at zero.
 * Why semi-orthogonal: an SGD step on M then moves W = E3·M·E1 by exactly the vanilla step (E3E3ᵀ·∇W·E1ᵀE1 = ∇W);
 * only the E1/E3 paths add the over-parameterization terms (WWᵀ∇W + ∇W·WᵀW). Plain Gaussians with
 * E1ᵀE1 ≈ r·I made the M path r× faster, and LOP + SP-KD diverged at the vanilla learning rate.
 */
export interface ExpansionFactors {
  e1: Mat;
  e3: Mat;
  /** E3⁺ and E1⁺, to map every kernel tap of W. */
  e3Pinv: Mat;
  e1Pinv: Mat;
}

export function expansionFactors(inDim: number, outDim: number, rate: number, rng: SeededRng): ExpansionFactors {
  const e1 = qr(gaussian(Math.ceil(rate * inDim), inDim, 1, rng)).q; // [r·in, in], orthonormal columns
  const e3 = transpose(qr(gaussian(Math.ceil(rate * outDim), outDim, 1, rng)).q); // [out, r·out], orthonormal rows
  const e1Pinv = matmulNT(spdInverse(matmulTN(e1, e1)), e1); // (E1ᵀE1)⁻¹ E1ᵀ
  const e3Pinv = matmul(transpose(e3), spdInverse(matmulNT(e3, e3))); // E3ᵀ (E3E3ᵀ)⁻¹
  return { e1, e3, e1Pinv, e3Pinv };
}

/** M_tap = E3⁺ · W_tap · E1⁺ for one [out, in] slice of the weight. */
export function middleTap(f: ExpansionFactors, wTap: Mat): Mat {
  return matmul(matmul(f.e3Pinv, wTap), f.e1Pinv);
}

function gaussian(rows: number, cols: number, std: number, rng: SeededRng): Mat {
  const m = mat(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal() * std;
  return m;
}
