import { expandTo, scale } from '../prims.js';
import type { GradRule } from '../types.js';

/** dX = dY/(H·W) broadcast over the spatial axes. */
export const GlobalAveragePool: GradRule = {
  grad({ node, dy: [dy], e }) {
    const xs = e.shape(node.inputs[0]!);
    const n = xs.slice(2).reduce((a, b) => a * b, 1);
    return [expandTo(e, scale(e, dy!, 1 / n), xs)];
  },
};
