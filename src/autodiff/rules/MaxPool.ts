import { A, attrInt, attrInts } from '../../ir/attrs.js';
import type { Node } from '../../ir/graph.js';
import { i64, ONNX_DTYPE, tensor } from '../../ir/tensor.js';
import { ReproError } from '../../util/errors.js';
import { convGeometry, transposeBackAttrs, type ConvGeometry } from '../conv-geometry.js';
import { binary, reshape } from '../prims.js';
import type { Emitter, GradRule } from '../types.js';

/**
 * The training lowering asks MaxPool for its Indices output (flat NCHW positions of each max). The backward then
 * routes dY to those positions: MaxUnpool when windows do not overlap (kernel ≤ stride: each input position is
 * the max of at most one window); ScatterElements with reduction=add where the opset has it (≥ 16); otherwise
 * (overlapping windows in an older model, e.g. SqueezeNet or ShuffleNetV2 at opset 13) the per-tap formulation
 * below, which needs no scatter at all, so the model's opset never blocks fine-tuning.
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
    const geo = convGeometry(node, xs, e.shape(node.outputs[0]!), kernel);
    const overlap = kernel.some((k, i) => (k - 1) * geo.dilations[i]! + 1 > geo.strides[i]!);
    // MaxUnpool infers its minimum output size as (out−1)·stride + kernel − pads; it must not exceed x.
    const r = kernel.length;
    const fits = kernel.every(
      (k, i) => (geo.outSize[i]! - 1) * geo.strides[i]! + k - geo.pads[i]! - geo.pads[i + r]! <= geo.inSize[i]!,
    );
    if (!overlap && fits && geo.dilations.every((d) => d === 1) && e.opset >= 9) {
      const attrs = { kernel_shape: A.ints(kernel), strides: A.ints(geo.strides), pads: A.ints(geo.pads) };
      return [e.add('MaxUnpool', [dy!, idx, e.ints(xs)], attrs)];
    }
    if (e.opset >= 16 || (!overlap && e.opset >= 11)) return [scatterGrad(e, node, dy!, idx, overlap)];
    return [tapGrad(e, dy!, idx, xs, geo)];
  },
};

/** dX = ScatterElements(zeros, Indices, dY) over the flattened input (reduction=add where windows overlap). */
function scatterGrad(e: Emitter, node: Node, dy: string, idx: string, overlap: boolean): string {
  const x = node.inputs[0]!;
  const xs = e.shape(x);
  const n = xs.reduce((a, b) => a * b, 1);
  const zeros = e.add('ConstantOfShape', [e.ints([n])]);
  e.setShape(zeros, [n], e.dtype(x));
  const m = e.shape(node.outputs[0]!).reduce((a, b) => a * b, 1);
  const flat = e.add(
    'ScatterElements',
    [zeros, reshape(e, idx, [m]), reshape(e, dy, [m])],
    overlap ? { reduction: A.string('add') } : {},
  );
  e.setShape(flat, [n], e.dtype(x));
  return reshape(e, flat, xs);
}

/** Plane-local input index of every (tap, output position) of the window, −1 where the tap lies in the padding. */
function tapPositions(geo: ConvGeometry): number[] {
  const r = geo.kernel.length;
  const K = geo.kernel.reduce((a, b) => a * b, 1);
  const O = geo.outSize.reduce((a, b) => a * b, 1);
  const pos: number[] = [];
  for (let t = 0; t < K; t++)
    for (let o = 0; o < O; o++) {
      let flat = 0;
      let tr = t;
      let or = o;
      for (let i = r - 1, stride = 1; i >= 0; i--) {
        const ti = tr % geo.kernel[i]!;
        const oi = or % geo.outSize[i]!;
        tr = Math.floor(tr / geo.kernel[i]!);
        or = Math.floor(or / geo.outSize[i]!);
        const p = oi * geo.strides[i]! - geo.pads[i]! + ti * geo.dilations[i]!;
        if (flat < 0 || p < 0 || p >= geo.inSize[i]!) flat = -1;
        else flat += p * stride;
        stride *= geo.inSize[i]!;
      }
      pos.push(flat);
    }
  return pos;
}

/**
 * Scatter-free backward for any MaxPool: for each kernel tap t, mask_t = [Indices = position of tap t] selects the
 * windows whose max sat at that tap; dY·mask_t, stacked over the K taps as channels, goes through one ConvTranspose
 * whose one-hot kernel [K, 1, k…] puts channel t at offset t of each window (strides, dilations and pads of the
 * pool). Overlapping windows simply add up in the transposed convolution. Uses Equal on int64, Cast, Mul and
 * ConvTranspose only (opset ≥ 7); memory K× the pool output.
 */
function tapGrad(e: Emitter, dy: string, idx: string, xs: number[], geo: ConvGeometry): string {
  const [N, C] = xs as [number, number];
  const dt = e.dtype(dy);
  const plane = geo.inSize.reduce((a, b) => a * b, 1);
  const K = geo.kernel.reduce((a, b) => a * b, 1);
  const O = geo.outSize.reduce((a, b) => a * b, 1);
  const base = e.const(
    i64(
      [N, C, 1, 1],
      Array.from({ length: N * C }, (_, i) => i * plane),
    ),
    'grad/maxpool_base',
  );
  const local = binary(e, 'Sub', reshape(e, idx, [N, C, 1, O]), base);
  const taps = e.const(i64([K, O], tapPositions(geo)), 'grad/maxpool_taps');
  const hit = e.add('Cast', [e.add('Equal', [local, taps])], { to: A.int(ONNX_DTYPE[dt]) });
  e.setShape(hit, [N, C, K, O], dt);
  const routed = reshape(e, binary(e, 'Mul', hit, reshape(e, dy, [N, C, 1, O])), [N * C, K, ...geo.outSize]);
  const eye = tensor(dt, [K, 1, ...geo.kernel]);
  for (let t = 0; t < K; t++) (eye.data as Float32Array)[t * K + t] = 1;
  const back = transposeBackAttrs(geo);
  const spread = e.add('ConvTranspose', [routed, e.const(eye, 'grad/maxpool_onehot')], {
    strides: A.ints(geo.strides),
    dilations: A.ints(geo.dilations),
    pads: A.ints(back.pads),
    ...(back.outputPadding ? { output_padding: A.ints(back.outputPadding) } : {}),
  });
  e.setShape(spread, [N * C, 1, ...geo.inSize], dt);
  return reshape(e, spread, xs);
}
