import { A, attrInt, attrInts } from '../../ir/attrs.js';
import { ReproError } from '../../util/errors.js';
import { reshape } from '../prims.js';
import type { GradRule } from '../types.js';

/**
 * The training lowering asks MaxPool for its Indices output (flat NCHW positions of each max). The backward then
 * routes dY to those positions: MaxUnpool when windows do not overlap (kernel ≤ stride: each input position is
 * the max of at most one window), ScatterElements with reduction=add otherwise (opset ≥ 16).
 */
export const MaxPool: GradRule = {
  lowerTraining(node, e, onPath) {
    if (!onPath) return undefined;
    if (attrInt(node.attrs, 'storage_order', 0) !== 0) {
      throw new ReproError(
        `node '${node.name}' (MaxPool): storage_order=1 is not supported for training; re-export the model with the default row-major order`,
      );
    }
    if (!node.outputs[1]) node.outputs[1] = e.fresh(`${node.outputs[0]}_indices`);
    if (e.hasShapeOf(node.outputs[0]!)) e.setShape(node.outputs[1], e.shape(node.outputs[0]!), 'int64');
    e.keep(node);
    return { indices: node.outputs[1] };
  },
  grad({ node, dy: [dy], e, saved }) {
    const x = node.inputs[0]!;
    const xs = e.shape(x);
    const idx = saved.indices ?? node.outputs[1];
    if (!idx) throw new ReproError(`autodiff: MaxPool '${node.name}' was not lowered for training (no Indices output)`);
    const kernel = attrInts(node.attrs, 'kernel_shape', []);
    const strides = attrInts(node.attrs, 'strides') ?? kernel.map(() => 1);
    const dil = attrInts(node.attrs, 'dilations') ?? kernel.map(() => 1);
    const overlap = kernel.some((k, i) => (k - 1) * dil[i]! + 1 > strides[i]!);
    // MaxUnpool infers its minimum output size as (out−1)·stride + kernel − pads; it must not exceed x.
    const r = kernel.length;
    const pads = attrInts(node.attrs, 'pads') ?? new Array<number>(2 * r).fill(0);
    const ys = e.shape(node.outputs[0]!);
    const fits = kernel.every((k, i) => (ys[i + 2]! - 1) * strides[i]! + k - pads[i]! - pads[i + r]! <= xs[i + 2]!);
    if (!overlap && fits && dil.every((d) => d === 1)) {
      const attrs = {
        kernel_shape: A.ints(kernel),
        strides: A.ints(strides),
        ...(node.attrs.pads ? { pads: node.attrs.pads } : {}),
      };
      return [e.add('MaxUnpool', [dy!, idx, e.ints(xs)], attrs)];
    }
    if (overlap && e.opset < 16) {
      throw new ReproError(
        `node '${node.name}' (MaxPool): overlapping windows need ScatterElements(reduction=add), i.e. opset ≥ 16 (graph has ${e.opset})`,
      );
    }
    const n = xs.reduce((a, b) => a * b, 1);
    const zeros = e.add('ConstantOfShape', [e.ints([n])]);
    e.setShape(zeros, [n], e.dtype(x));
    const m = e.shape(node.outputs[0]!).reduce((a, b) => a * b, 1);
    const flat = e.add(
      'ScatterElements',
      [zeros, reshape(e, idx, [m]), reshape(e, dy!, [m])],
      overlap ? { reduction: A.string('add') } : {},
    );
    e.setShape(flat, [n], e.dtype(x));
    return [reshape(e, flat, xs)];
  },
};
