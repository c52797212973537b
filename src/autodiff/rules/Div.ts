import { binary, unary, unbroadcast } from '../prims.js';
import type { GradRule } from '../types.js';

/** y = a/b: da = dY/b, db = −dY·y/b (reusing the forward output instead of forming b²). */
export const Div: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    const [a, b] = node.inputs as [string, string];
    const y = node.outputs[0]!;
    const dyOverB = binary(e, 'Div', dy!, b);
    return [
      need[0] ? unbroadcast(e, dyOverB, e.shape(a)) : undefined,
      need[1] ? unary(e, 'Neg', unbroadcast(e, binary(e, 'Mul', dyOverB, y), e.shape(b))) : undefined,
    ];
  },
};
