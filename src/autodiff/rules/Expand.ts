import { unbroadcast } from '../prims.js';
import type { GradRule } from '../types.js';

/** dX = dY summed over the broadcast axes. */
export const Expand: GradRule = {
  nonDiffInputs: [1],
  grad({ node, dy: [dy], e }) {
    return [unbroadcast(e, dy!, e.shape(node.inputs[0]!))];
  },
};
