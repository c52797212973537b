import { attrInt } from '../../ir/attrs.js';
import type { Node } from '../../ir/graph.js';
import { binary, floatMask, reshape, reduceSum } from '../prims.js';
import type { Emitter, GradRule } from '../types.js';
import { reduceNodeAxes } from './reduce-util.js';

/**
 * ReduceMax / ReduceMin: dY goes to the elements equal to the extremum of their group, split evenly between ties
 * (as PyTorch's amax/amin): dX = [x = y]·dY / #ties, with y and dY brought back to keepdims shape.
 */
function extremumReduceGrad(node: Node, dy: string, e: Emitter, kind: 'max' | 'min'): string {
  const x = node.inputs[0]!;
  const xs = e.shape(x);
  const axes = reduceNodeAxes(node, e);
  if (!axes.length) return dy;
  const kept = xs.map((d, i) => (axes.includes(i) ? 1 : d));
  const keep = attrInt(node.attrs, 'keepdims', 1) === 1;
  const y = keep ? node.outputs[0]! : reshape(e, node.outputs[0]!, kept);
  const hit = floatMask(e, kind === 'max' ? 'Less' : 'Greater', x, y, true);
  const ties = reduceSum(e, hit, axes, true);
  const share = binary(e, 'Div', keep ? dy : reshape(e, dy, kept), ties);
  return binary(e, 'Mul', hit, share);
}

export const ReduceMax: GradRule = {
  nonDiffInputs: [1],
  grad: ({ node, dy: [dy], e }) => [extremumReduceGrad(node, dy!, e, 'max')],
};

export const ReduceMin: GradRule = {
  nonDiffInputs: [1],
  grad: ({ node, dy: [dy], e }) => [extremumReduceGrad(node, dy!, e, 'min')],
};
