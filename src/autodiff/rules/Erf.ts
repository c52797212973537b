import { binary, unary } from '../prims.js';
import type { Emitter, GradRule } from '../types.js';

/** exp(−x²) — the shape of erf's derivative, shared by Erf and Gelu. */
export function gaussian(e: Emitter, x: string, k = 1): string {
  const sq = binary(e, 'Mul', binary(e, 'Mul', x, x), e.scalar(-k, e.dtype(x)));
  return unary(e, 'Exp', sq);
}

/** dX = dY·(2/√π)·exp(−x²). */
export const Erf: GradRule = {
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const d = binary(e, 'Mul', gaussian(e, x), e.scalar(2 / Math.sqrt(Math.PI), e.dtype(x)));
    return [binary(e, 'Mul', dy!, d)];
  },
};
