import { unary, unbroadcast } from '../prims.js';
import type { GradRule } from '../types.js';

/** d(a−b): dY for a, −dY for b, un-broadcast (the Neg runs after the reduction, on the smaller tensor). */
export const Sub: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    const [a, b] = node.inputs as [string, string];
    return [
      need[0] ? unbroadcast(e, dy!, e.shape(a)) : undefined,
      need[1] ? unary(e, 'Neg', unbroadcast(e, dy!, e.shape(b))) : undefined,
    ];
  },
};
