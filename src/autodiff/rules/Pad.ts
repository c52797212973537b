import { attrInts, attrString } from '../../ir/attrs.js';
import { PAD_AS_INPUT_SINCE } from '../../ir/ops.js';
import { toNumbers } from '../../ir/tensor.js';
import { ReproError } from '../../util/errors.js';
import type { GradRule } from '../types.js';
import { mapFromAxes, scatterByMap } from './index-map.js';

/** Source coordinate of output coordinate o on an axis padded by (b, e) in a mode; −1 = the constant. */
function srcCoord(o: number, b: number, n: number, mode: string): number {
  const p = o - b;
  if (p >= 0 && p < n) return p;
  if (mode === 'constant') return -1;
  if (mode === 'edge') return p < 0 ? 0 : n - 1;
  if (mode === 'reflect') {
    if (n === 1) return 0;
    const period = 2 * (n - 1);
    let q = ((p % period) + period) % period;
    if (q >= n) q = period - q;
    return q;
  }
  return -1;
}

/** dX = the dY entries that were copied from x (all modes, any sign of pads), via a static index map. */
export const Pad: GradRule = {
  nonDiffInputs: [1, 2, 3],
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const xs = e.shape(x);
    const r = xs.length;
    const mode = attrString(node.attrs, 'mode', 'constant');
    let pads: number[];
    if (e.opset < PAD_AS_INPUT_SINCE) pads = attrInts(node.attrs, 'pads', []);
    else {
      const c = e.constValue(node.inputs[1]!);
      if (!c)
        throw new ReproError(`node '${node.name}' (Pad): pads must be a constant to differentiate through the pad`);
      pads = toNumbers(c);
      const axesName = node.inputs[3];
      if (axesName) {
        const ac = e.constValue(axesName);
        if (!ac) throw new ReproError(`node '${node.name}' (Pad): axes must be a constant`);
        const axes = toNumbers(ac).map((a) => (a < 0 ? a + r : a));
        const full = new Array<number>(2 * r).fill(0);
        axes.forEach((a, i) => {
          full[a] = pads[i]!;
          full[a + r] = pads[i + axes.length]!;
        });
        pads = full;
      }
    }
    const outShape = xs.map((d, i) => d + pads[i]! + pads[i + r]!);
    const axisSrc = xs.map((d, i) => Array.from({ length: outShape[i]! }, (_, o) => srcCoord(o, pads[i]!, d, mode)));
    if (mode === 'constant' && pads.every((p) => p >= 0)) {
      // Plain zero padding: the gradient is a crop of dY.
      const starts = pads.slice(0, r);
      const ends = xs.map((d, i) => pads[i]! + d);
      return [e.add('Slice', [dy!, e.ints(starts), e.ints(ends), e.ints(xs.map((_, i) => i))])];
    }
    return [scatterByMap(e, dy!, xs, mapFromAxes(outShape, xs, axisSrc))];
  },
};
