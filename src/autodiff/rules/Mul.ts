import { binary, unbroadcast } from '../prims.js';
import type { GradRule } from '../types.js';

/** d(a·b): dY·b for a, dY·a for b, each un-broadcast. */
export const Mul: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    const [a, b] = node.inputs as [string, string];
    return [
      need[0] ? unbroadcast(e, binary(e, 'Mul', dy!, b), e.shape(a)) : undefined,
      need[1] ? unbroadcast(e, binary(e, 'Mul', dy!, a), e.shape(b)) : undefined,
    ];
  },
};
