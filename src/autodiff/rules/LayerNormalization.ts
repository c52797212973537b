import { attrFloat, attrInt } from '../../ir/attrs.js';
import { binary, reshape, unbroadcast } from '../prims.js';
import type { GradRule } from '../types.js';
import { standardizeBackward, standardizeRows } from './norm-util.js';

/**
 * y = x̂·Scale + B over the axes [axis, rank): dX by the standardization backward with g = dY·Scale,
 * dScale = Σ dY·x̂ and dB = Σ dY, both un-broadcast to their shapes. The Mean/InvStdDev outputs carry no gradient.
 */
export const LayerNormalization: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    const [x, s, b] = node.inputs as [string, string, string | undefined];
    const xs = e.shape(x);
    const a0 = attrInt(node.attrs, 'axis', -1);
    const axis = a0 < 0 ? a0 + xs.length : a0;
    const P = xs.slice(0, axis).reduce((p, d) => p * d, 1);
    const M = xs.slice(axis).reduce((p, d) => p * d, 1);
    const st = standardizeRows(e, x, [P, M], attrFloat(node.attrs, 'epsilon', 1e-5));
    const out: (string | undefined)[] = [];
    if (need[0]) {
      const g = reshape(e, binary(e, 'Mul', dy!, s), [P, M]);
      out[0] = reshape(e, standardizeBackward(e, g, st), xs);
    }
    if (need[1]) out[1] = unbroadcast(e, binary(e, 'Mul', dy!, reshape(e, st.xhat, xs)), e.shape(s));
    if (need[2] && b) out[2] = unbroadcast(e, dy!, e.shape(b));
    return out;
  },
};
