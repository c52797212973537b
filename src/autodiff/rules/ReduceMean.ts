import { scale } from '../prims.js';
import { reduceNodeAxes, unreduce } from './reduce-util.js';
import type { GradRule } from '../types.js';

/** dX = dY/n broadcast back over the reduced axes (scaled before the broadcast, on the small tensor). */
export const ReduceMean: GradRule = {
  nonDiffInputs: [1],
  grad({ node, dy: [dy], e }) {
    const axes = reduceNodeAxes(node, e);
    if (!axes.length) return [dy];
    const xs = e.shape(node.inputs[0]!);
    const n = axes.reduce((p, a) => p * xs[a]!, 1);
    return [unreduce(e, node, scale(e, dy!, 1 / n), axes)];
  },
};
