import { binary, floatMask, scale } from '../prims.js';
import type { GradRule } from '../types.js';

/**
 * y = x·clip(x/6 + ½, 0, 1): dX = dY·(x/3 + ½) on [−3, 3], dY above 3, 0 below −3 (PyTorch's hardswish_backward,
 * boundaries included), built as slope = [x ≥ −3]·([x ≤ 3]·(x/3 + ½) + [x > 3]).
 */
export const HardSwish: GradRule = {
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const dt = e.dtype(x);
    const ramp = binary(e, 'Add', scale(e, x, 1 / 3), e.scalar(0.5, dt));
    const above = floatMask(e, 'Greater', x, e.scalar(3, dt));
    const middle = binary(e, 'Mul', floatMask(e, 'Greater', x, e.scalar(3, dt), true), ramp);
    const notBelow = floatMask(e, 'Less', x, e.scalar(-3, dt), true);
    const slope = binary(e, 'Mul', notBelow, binary(e, 'Add', middle, above));
    return [binary(e, 'Mul', dy!, slope)];
  },
};
