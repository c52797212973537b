import { binary } from '../prims.js';
import type { GradRule } from '../types.js';

/** dX = dY·y·(1 − y). */
export const Sigmoid: GradRule = {
  grad({ node, dy: [dy], e }) {
    const y = node.outputs[0]!;
    const oneMinus = binary(e, 'Sub', e.scalar(1, e.dtype(y)), y);
    return [binary(e, 'Mul', binary(e, 'Mul', dy!, y), oneMinus)];
  },
};
