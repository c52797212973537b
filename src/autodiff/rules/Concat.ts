import { A, attrInt } from '../../ir/attrs.js';
import { SPLIT_AS_INPUT_SINCE } from '../../ir/ops.js';
import type { GradRule } from '../types.js';

/** dY split back along the concat axis; one Slice when a single operand needs a gradient, else one Split. */
export const Concat: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    const rank = e.shape(node.outputs[0]!).length;
    const a = attrInt(node.attrs, 'axis', 0);
    const axis = a < 0 ? a + rank : a;
    const sizes = node.inputs.map((x) => e.shape(x)[axis]!);
    const wanted = need.filter(Boolean).length;
    if (wanted === 1) {
      const i = need.indexOf(true);
      const start = sizes.slice(0, i).reduce((p, q) => p + q, 0);
      const out: (string | undefined)[] = [];
      out[i] = e.add('Slice', [dy!, e.ints([start]), e.ints([start + sizes[i]!]), e.ints([axis])]);
      return out;
    }
    const attrs = { axis: A.int(axis), ...(e.opset < SPLIT_AS_INPUT_SINCE ? { split: A.ints(sizes) } : {}) };
    const inputs = e.opset < SPLIT_AS_INPUT_SINCE ? [dy!] : [dy!, e.ints(sizes)];
    const parts = e.addMulti('Split', inputs, attrs, sizes.length);
    return parts.map((p, i) => (need[i] ? p : undefined));
  },
};
