import { attrFloat } from '../../ir/attrs.js';
import { binary } from '../prims.js';
import type { GradRule } from '../types.js';

/** dX = dY where x > 0, alpha·dY elsewhere. */
export const LeakyRelu: GradRule = {
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const alpha = attrFloat(node.attrs, 'alpha', 0.01);
    const dt = e.dtype(x);
    const slope = e.add('Where', [e.add('Greater', [x, e.scalar(0, dt)]), e.scalar(1, dt), e.scalar(alpha, dt)]);
    e.setShape(slope, e.shape(x), dt);
    return [binary(e, 'Mul', dy!, slope)];
  },
};
