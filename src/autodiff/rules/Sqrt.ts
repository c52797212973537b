import { binary, scale } from '../prims.js';
import type { GradRule } from '../types.js';

/** dX = dY / (2·y). */
export const Sqrt: GradRule = {
  grad({ node, dy: [dy], e }) {
    return [binary(e, 'Div', scale(e, dy!, 0.5), node.outputs[0]!)];
  },
};
