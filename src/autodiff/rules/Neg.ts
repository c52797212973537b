import { unary } from '../prims.js';
import type { GradRule } from '../types.js';

/** dX = −dY. */
export const Neg: GradRule = {
  grad({ dy: [dy], e }) {
    return [unary(e, 'Neg', dy!)];
  },
};
