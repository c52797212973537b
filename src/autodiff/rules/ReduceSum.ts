import { reduceNodeAxes, unreduce } from './reduce-util.js';
import type { GradRule } from '../types.js';

/** dX = dY broadcast back over the reduced axes. */
export const ReduceSum: GradRule = {
  nonDiffInputs: [1],
  grad({ node, dy: [dy], e }) {
    const axes = reduceNodeAxes(node, e);
    return [axes.length ? unreduce(e, node, dy!, axes) : dy];
  },
};
