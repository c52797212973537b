import { binary, unary } from '../prims.js';
import type { GradRule } from '../types.js';

/** dX = dY·sign(x) (0 at x = 0, the subgradient PyTorch picks). */
export const Abs: GradRule = {
  grad({ node, dy: [dy], e }) {
    return [binary(e, 'Mul', dy!, unary(e, 'Sign', node.inputs[0]!))];
  },
};
