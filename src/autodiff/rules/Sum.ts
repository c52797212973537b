import { unbroadcast } from '../prims.js';
import type { GradRule } from '../types.js';

/** Variadic sum: every operand gets dY, un-broadcast to its shape. */
export const Sum: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    return node.inputs.map((x, i) => (need[i] ? unbroadcast(e, dy!, e.shape(x)) : undefined));
  },
};
