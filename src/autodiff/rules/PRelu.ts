import { binary, floatMask, unbroadcast } from '../prims.js';
import type { GradRule } from '../types.js';

/** y = x for x ≥ 0, slope·x below: dX = dY·(1 + [x < 0]·(slope − 1)), dSlope = Σ dY·x·[x < 0] (un-broadcast). */
export const PRelu: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    const [x, slope] = node.inputs as [string, string];
    const dt = e.dtype(x);
    const neg = floatMask(e, 'Less', x, e.scalar(0, dt));
    const out: (string | undefined)[] = [];
    if (need[0]) {
      const k = binary(e, 'Add', binary(e, 'Mul', neg, binary(e, 'Sub', slope, e.scalar(1, dt))), e.scalar(1, dt));
      out[0] = binary(e, 'Mul', dy!, k);
    }
    if (need[1]) out[1] = unbroadcast(e, binary(e, 'Mul', binary(e, 'Mul', dy!, x), neg), e.shape(slope));
    return out;
  },
};
