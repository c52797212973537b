import { binary } from '../prims.js';
import type { GradRule } from '../types.js';

/** dX = dY·y. */
export const Exp: GradRule = {
  grad({ node, dy: [dy], e }) {
    return [binary(e, 'Mul', dy!, node.outputs[0]!)];
  },
};
