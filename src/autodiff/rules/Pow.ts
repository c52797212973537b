import { binary, unary, unbroadcast } from '../prims.js';
import type { GradRule } from '../types.js';

/**
 * y = a^b: da = dY·b·a^(b−1); db = dY·y·ln a (only meaningful for a > 0).
 * A constant exponent folds into constants (x² becomes dY·2·x, no Pow in the backward).
 */
export const Pow: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    const [a, b] = node.inputs as [string, string];
    const y = node.outputs[0]!;
    const out: (string | undefined)[] = [];
    if (need[0]) {
      const bc = e.constValue(b);
      let d: string;
      if (bc && bc.data.length === 1) {
        const p = Number(bc.data[0]);
        const dt = e.dtype(a);
        const base = p === 2 ? a : p === 1 ? undefined : binary(e, 'Pow', a, e.scalar(p - 1, dt));
        d = binary(e, 'Mul', dy!, e.scalar(p, dt));
        if (base) d = binary(e, 'Mul', d, base);
      } else {
        const bm1 = binary(e, 'Sub', b, e.scalar(1, e.dtype(b)));
        d = binary(e, 'Mul', binary(e, 'Mul', dy!, b), binary(e, 'Pow', a, bm1));
      }
      out[0] = unbroadcast(e, d, e.shape(a));
    }
    if (need[1]) out[1] = unbroadcast(e, binary(e, 'Mul', binary(e, 'Mul', dy!, y), unary(e, 'Log', a)), e.shape(b));
    return out;
  },
};
