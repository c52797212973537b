import { A } from '../../ir/attrs.js';
import { ONNX_DTYPE } from '../../ir/tensor.js';
import type { GradRule } from '../types.js';

/** Float→float casts pass the gradient back (cast to the input type); casts to integer types carry none. */
export const Cast: GradRule = {
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const dt = e.dtype(x);
    if (dt !== 'float32' && dt !== 'float64') return [undefined];
    if (e.dtype(node.outputs[0]!) === dt) return [dy];
    const out = e.add('Cast', [dy!], { to: A.int(ONNX_DTYPE[dt]) });
    e.setShape(out, e.shape(x), dt);
    return [out];
  },
};
