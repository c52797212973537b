import { attrFloat } from '../../ir/attrs.js';
import { CLIP_AS_INPUT_SINCE } from '../../ir/ops.js';
import type { GradRule } from '../types.js';

/** dX = dY where min < x < max (bounds from inputs, or attributes before opset 11); min/max get no gradient. */
export const Clip: GradRule = {
  nonDiffInputs: [1, 2],
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const dt = e.dtype(x);
    let lo: string | undefined;
    let hi: string | undefined;
    if (e.opset >= CLIP_AS_INPUT_SINCE) {
      lo = node.inputs[1] || undefined;
      hi = node.inputs[2] || undefined;
    } else {
      lo = node.attrs.min ? e.scalar(attrFloat(node.attrs, 'min', 0), dt) : undefined;
      hi = node.attrs.max ? e.scalar(attrFloat(node.attrs, 'max', 0), dt) : undefined;
    }
    let inside: string | undefined;
    if (lo) inside = e.add('Greater', [x, lo]);
    if (hi) {
      const below = e.add('Less', [x, hi]);
      inside = inside ? e.add('And', [inside, below]) : below;
    }
    if (!inside) return [dy];
    const out = e.add('Where', [inside, dy!, e.scalar(0, dt)]);
    e.setShape(out, e.shape(x), dt);
    return [out];
  },
};
