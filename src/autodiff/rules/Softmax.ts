import { softmaxAxes } from '../../ir/ops.js';
import { binary, reduceSum } from '../prims.js';
import type { GradRule } from '../types.js';

/** dX = y·(dY − Σ_axis dY·y); the axes follow the opset's Softmax semantics (coerced 2-D before opset 13). */
export const Softmax: GradRule = {
  grad({ node, dy: [dy], e }) {
    const y = node.outputs[0]!;
    const axes = softmaxAxes(node, e.opset, e.shape(y).length);
    const s = reduceSum(e, binary(e, 'Mul', dy!, y), axes, true);
    return [binary(e, 'Mul', y, binary(e, 'Sub', dy!, s))];
  },
};
