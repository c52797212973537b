import { unbroadcast } from '../prims.js';
import { broadcastShape } from '../prims.js';
import type { GradRule } from '../types.js';

/** y = cond ? a : b: da = dY where cond, db = dY elsewhere, each un-broadcast. */
export const Where: GradRule = {
  nonDiffInputs: [0],
  grad({ node, dy: [dy], need, e }) {
    const [c, a, b] = node.inputs as [string, string, string];
    const ys = e.shape(node.outputs[0]!);
    const zero = e.scalar(0, e.dtype(a));
    const pick = (first: string, second: string, target: string) => {
      const w = e.add('Where', [c, first, second]);
      e.setShape(w, broadcastShape(ys, e.shape(c)), e.dtype(a));
      return unbroadcast(e, w, e.shape(target));
    };
    return [undefined, need[1] ? pick(dy!, zero, a) : undefined, need[2] ? pick(zero, dy!, b) : undefined];
  },
};
