import { A, attrInt } from '../../ir/attrs.js';
import { zeros } from '../prims.js';
import type { GradRule } from '../types.js';

/** dX = Concat of the output gradients along the split axis; an output nothing reads contributes zeros. */
export const Split: GradRule = {
  nonDiffInputs: [1],
  grad({ node, dy, e }) {
    const x = node.inputs[0]!;
    const rank = e.shape(x).length;
    const a = attrInt(node.attrs, 'axis', 0);
    const parts = node.outputs.map((o, i) => dy[i] ?? zeros(e, e.shape(o), e.dtype(x)));
    if (parts.length === 1) return [parts[0]];
    const out = e.add('Concat', parts, { axis: A.int(a < 0 ? a + rank : a) });
    e.setShape(out, e.shape(x), e.dtype(x));
    return [out];
  },
};
