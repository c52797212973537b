import type { GradRule } from '../types.js';

/** dX = dY (no node). */
export const Identity: GradRule = {
  grad({ dy: [dy] }) {
    return [dy];
  },
};
