import { binary, reduce, reshape, scale, unary } from '../prims.js';
import type { Emitter } from '../types.js';

/**
 * Shared by LayerNormalization, GroupNormalization and InstanceNormalization, which all standardize the rows of x
 * viewed as [P, M] (the normalized elements are contiguous and last): x̂ = (x − mean)·invstd, invstd = 1/√(var + ε)
 * with the population variance. The statistics are recomputed in the backward from x (a few reductions) rather
 * than saved, so the forward node runs unchanged.
 */
export interface Standardized {
  /** x̂ as [P, M]. */
  xhat: string;
  /** invstd as [P, 1]. */
  invstd: string;
}

export function standardizeRows(e: Emitter, x: string, rows: [number, number], eps: number): Standardized {
  const xv = reshape(e, x, rows);
  const xc = binary(e, 'Sub', xv, reduce(e, 'ReduceMean', xv, [1], true));
  const variance = scale(e, reduce(e, 'ReduceSumSquare', xc, [1], true), 1 / rows[1]);
  const invstd = unary(e, 'Reciprocal', unary(e, 'Sqrt', binary(e, 'Add', variance, e.scalar(eps, e.dtype(x)))));
  return { xhat: binary(e, 'Mul', xc, invstd), invstd };
}

/** dX (as [P, M]) from g = ∂L/∂x̂ (as [P, M]): invstd·(g − mean(g) − x̂·mean(g·x̂)), means over each row. */
export function standardizeBackward(e: Emitter, g: string, s: Standardized): string {
  const meanG = reduce(e, 'ReduceMean', g, [1], true);
  const meanGx = reduce(e, 'ReduceMean', binary(e, 'Mul', g, s.xhat), [1], true);
  const centered = binary(e, 'Sub', binary(e, 'Sub', g, meanG), binary(e, 'Mul', s.xhat, meanGx));
  return binary(e, 'Mul', centered, s.invstd);
}
