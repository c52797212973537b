import { binary } from '../prims.js';
import type { GradRule } from '../types.js';

/** dX = dY·(1 − y²). */
export const Tanh: GradRule = {
  grad({ node, dy: [dy], e }) {
    const y = node.outputs[0]!;
    const oneMinusSq = binary(e, 'Sub', e.scalar(1, e.dtype(y)), binary(e, 'Mul', y, y));
    return [binary(e, 'Mul', dy!, oneMinusSq)];
  },
};
