import type { Param } from './types.js';

/**
 * Scale every gradient by min(1, maxNorm / ‖g‖) where ‖g‖ is the L2 norm of all of them together (PyTorch's
 * clip_grad_norm_). A step can then move the weights by at most lr·maxNorm, which keeps an unnormalised deep net
 * (Inception-v3 with BN folded: first gradient norm 12,077) from diverging in its second step. Returns ‖g‖ before
 * clipping.
 */
export function clipGradNorm(params: readonly Param[], maxNorm: number): number {
  let sq = 0;
  for (const p of params) for (let i = 0; i < p.grad.length; i++) sq += p.grad[i]! * p.grad[i]!;
  const norm = Math.sqrt(sq);
  if (!(norm > maxNorm)) return norm; // also leaves a NaN norm alone: the divergence check names it
  const scale = maxNorm / norm;
  for (const p of params) for (let i = 0; i < p.grad.length; i++) p.grad[i]! *= scale;
  return norm;
}
