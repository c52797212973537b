import { binary, unary } from '../prims.js';
import type { GradRule } from '../types.js';

/** y = x·tanh(softplus(x)): dX = dY·(t + x·(1 − t²)·σ(x)), t = tanh(softplus(x)). */
export const Mish: GradRule = {
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const t = unary(e, 'Tanh', unary(e, 'Softplus', x));
    const sech2 = binary(e, 'Sub', e.scalar(1, e.dtype(x)), binary(e, 'Mul', t, t));
    const slope = binary(e, 'Add', t, binary(e, 'Mul', binary(e, 'Mul', x, sech2), unary(e, 'Sigmoid', x)));
    return [binary(e, 'Mul', dy!, slope)];
  },
};
