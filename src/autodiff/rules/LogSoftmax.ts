import { softmaxAxes } from '../../ir/ops.js';
import { binary, reduceSum, unary } from '../prims.js';
import type { GradRule } from '../types.js';

/** y = x − logΣexp(x): dX = dY − exp(y)·Σ_axis dY. */
export const LogSoftmax: GradRule = {
  grad({ node, dy: [dy], e }) {
    const y = node.outputs[0]!;
    const axes = softmaxAxes(node, e.opset, e.shape(y).length);
    const s = reduceSum(e, dy!, axes, true);
    return [binary(e, 'Sub', dy!, binary(e, 'Mul', unary(e, 'Exp', y), s))];
  },
};
