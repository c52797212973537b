import { attrFloat } from '../../ir/attrs.js';
import { binary, floatMask, scale } from '../prims.js';
import type { GradRule } from '../types.js';

/** y = clip(αx + β, 0, 1): dX = α·dY where 0 < y < 1 (flat parts and the kinks get 0). */
export const HardSigmoid: GradRule = {
  grad({ node, dy: [dy], e }) {
    const y = node.outputs[0]!;
    const dt = e.dtype(y);
    const inside = binary(
      e,
      'Mul',
      floatMask(e, 'Greater', y, e.scalar(0, dt)),
      floatMask(e, 'Less', y, e.scalar(1, dt)),
    );
    return [binary(e, 'Mul', scale(e, dy!, attrFloat(node.attrs, 'alpha', 0.2)), inside)];
  },
};
