import { reshape } from '../prims.js';
import type { GradRule } from '../types.js';

/** Any pure re-view of the data (Reshape, Flatten, Squeeze, Unsqueeze): reshape dY back to x's shape. */
export const Reshape: GradRule = {
  nonDiffInputs: [1],
  grad({ node, dy: [dy], e }) {
    return [reshape(e, dy!, e.shape(node.inputs[0]!))];
  },
};
export const Flatten = Reshape;
export const Squeeze = Reshape;
export const Unsqueeze = Reshape;
