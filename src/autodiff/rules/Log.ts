import { binary } from '../prims.js';
import type { GradRule } from '../types.js';

/** dX = dY / x. */
export const Log: GradRule = {
  grad({ node, dy: [dy], e }) {
    return [binary(e, 'Div', dy!, node.inputs[0]!)];
  },
};
