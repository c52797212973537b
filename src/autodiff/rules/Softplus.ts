import { binary, unary } from '../prims.js';
import type { GradRule } from '../types.js';

/** y = ln(1 + eˣ): dX = dY·σ(x). */
export const Softplus: GradRule = {
  grad({ node, dy: [dy], e }) {
    return [binary(e, 'Mul', dy!, unary(e, 'Sigmoid', node.inputs[0]!))];
  },
};
