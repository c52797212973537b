import { attrFloat } from '../../ir/attrs.js';
import { binary, floatMask } from '../prims.js';
import type { GradRule } from '../types.js';

/** y = x for x > 0, α(eˣ − 1) else: dX = dY where x > 0, dY·(y + α) elsewhere. */
export const Elu: GradRule = {
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const dt = e.dtype(x);
    const alpha = attrFloat(node.attrs, 'alpha', 1);
    const pos = floatMask(e, 'Greater', x, e.scalar(0, dt));
    const negSlope = binary(e, 'Add', node.outputs[0]!, e.scalar(alpha, dt));
    const slope = binary(e, 'Add', pos, binary(e, 'Mul', binary(e, 'Sub', e.scalar(1, dt), pos), negSlope));
    return [binary(e, 'Mul', dy!, slope)];
  },
};
