import { binary, unary } from '../prims.js';
import type { GradRule } from '../types.js';

/** y = 1/x: dX = −dY·y². */
export const Reciprocal: GradRule = {
  grad({ node, dy: [dy], e }) {
    const y = node.outputs[0]!;
    return [unary(e, 'Neg', binary(e, 'Mul', dy!, binary(e, 'Mul', y, y)))];
  },
};
