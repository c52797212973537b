import { unbroadcast } from '../prims.js';
import type { GradRule } from '../types.js';

/** d(a+b) = dY for both operands, summed over the axes each was broadcast along. */
export const Add: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    return node.inputs.map((x, i) => (need[i] ? unbroadcast(e, dy!, e.shape(x)) : undefined));
  },
};
