import { binary, scale } from '../prims.js';
import { reduceNodeAxes, unreduce } from './reduce-util.js';
import type { GradRule } from '../types.js';

/** y = Σx²: dX = 2·x·dY (dY broadcast back over the reduced axes). */
export const ReduceSumSquare: GradRule = {
  nonDiffInputs: [1],
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const axes = reduceNodeAxes(node, e);
    const g = axes.length ? unreduce(e, node, scale(e, dy!, 2), axes) : scale(e, dy!, 2);
    return [binary(e, 'Mul', g, x)];
  },
};
