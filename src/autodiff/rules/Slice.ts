import { A, attrInts } from '../../ir/attrs.js';
import { PAD_AS_INPUT_SINCE, SLICE_AS_INPUT_SINCE } from '../../ir/ops.js';
import { toNumbers } from '../../ir/tensor.js';
import { ReproError } from '../../util/errors.js';
import type { Emitter, GradRule } from '../types.js';
import { mapFromAxes, scatterByMap } from './index-map.js';
import type { Node } from '../../ir/graph.js';

interface AxisSlice {
  start: number;
  step: number;
  count: number;
}

/** Per-axis (start, step, count) after ONNX's clamping rules; starts/ends/axes/steps must be constant. */
export function sliceAxes(node: Node, e: Emitter): AxisSlice[] {
  const xs = e.shape(node.inputs[0]!);
  const get = (i: number, attr: string): number[] | undefined => {
    if (e.opset < SLICE_AS_INPUT_SINCE) return attrInts(node.attrs, attr);
    const n = node.inputs[i];
    if (!n) return undefined;
    const c = e.constValue(n);
    if (!c)
      throw new ReproError(
        `node '${node.name}' (Slice): input ${i} must be a constant to differentiate through the slice`,
      );
    return toNumbers(c);
  };
  const starts = get(1, 'starts')!;
  const ends = get(2, 'ends')!;
  const axes = get(3, 'axes') ?? starts.map((_, i) => i);
  const steps = get(4, 'steps') ?? starts.map(() => 1);
  const res: AxisSlice[] = xs.map((d) => ({ start: 0, step: 1, count: d }));
  axes.forEach((a0, i) => {
    const a = a0 < 0 ? a0 + xs.length : a0;
    const d = xs[a]!;
    const step = steps[i]!;
    let s = starts[i]!;
    let t = ends[i]!;
    if (s < 0) s += d;
    if (t < 0) t += d;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), d);
      t = Math.min(Math.max(t, 0), d);
    } else {
      s = Math.min(Math.max(s, 0), d - 1);
      t = Math.min(Math.max(t, -1), d - 1);
    }
    res[a] = { start: s, step, count: Math.max(0, Math.ceil((t - s) / step)) };
  });
  return res;
}

/** Unit steps: dX = Pad(dY) with zeros around the slice. Other steps: scatter by a static index map. */
export const Slice: GradRule = {
  nonDiffInputs: [1, 2, 3, 4],
  grad({ node, dy: [dy], e }) {
    const xs = e.shape(node.inputs[0]!);
    const ax = sliceAxes(node, e);
    if (ax.every((a) => a.step === 1)) {
      const pads = [...ax.map((a) => a.start), ...ax.map((a, i) => xs[i]! - a.start - a.count)];
      return [
        e.opset >= PAD_AS_INPUT_SINCE ? e.add('Pad', [dy!, e.ints(pads)]) : e.add('Pad', [dy!], { pads: A.ints(pads) }),
      ];
    }
    const outShape = ax.map((a) => a.count);
    const src = mapFromAxes(
      outShape,
      xs,
      ax.map((a) => Array.from({ length: a.count }, (_, c) => a.start + c * a.step)),
    );
    return [scatterByMap(e, dy!, xs, src)];
  },
};
