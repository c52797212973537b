import { binary, floatMask, reduceSum } from '../prims.js';
import type { GradRule } from '../types.js';

/** Max over each (n, c) plane: dY goes to the plane's maximum, split evenly between ties (as ReduceMax). */
export const GlobalMaxPool: GradRule = {
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const axes = e
      .shape(x)
      .map((_, i) => i)
      .slice(2);
    const hit = floatMask(e, 'Less', x, node.outputs[0]!, true);
    return [binary(e, 'Mul', hit, binary(e, 'Div', dy!, reduceSum(e, hit, axes, true)))];
  },
};
