import { A, attrInts } from '../../ir/attrs.js';
import type { GradRule } from '../types.js';

/** dX = Transpose(dY, inverse permutation). */
export const Transpose: GradRule = {
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const xs = e.shape(x);
    const perm = attrInts(node.attrs, 'perm') ?? xs.map((_, i) => xs.length - 1 - i);
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inv[p] = i;
    });
    const out = e.add('Transpose', [dy!], { perm: A.ints(inv) });
    e.setShape(out, xs, e.dtype(x));
    return [out];
  },
};
