import { A, attrInt } from '../../ir/attrs.js';
import { transposeGeometry } from '../../ir/shape/rules/conv.js';
import type { ConvGeometry } from '../conv-geometry.js';
import { filterGradIm2col, filterGradTaps, filterGradTransposedConv, pickFilterGrad } from '../conv-filter-grad.js';
import { convSettings } from './Conv.js';
import { reduceSum } from '../prims.js';
import type { Emitter, GradRule } from '../types.js';

/**
 * A negative pad (output_shape larger than the natural output) adds output rows nothing is scattered to; their
 * gradient is dropped by cropping dY, and the pad becomes 0. Updates `geo` to the cropped sizes.
 */
function cropNegativePads(e: Emitter, dy: string, geo: ConvGeometry): string {
  const r = geo.kernel.length;
  if (geo.pads.every((p) => p >= 0)) return dy;
  const starts = geo.inSize.map((_, i) => Math.max(0, -geo.pads[i]!));
  const ends = geo.inSize.map((n, i) => n - Math.max(0, -geo.pads[i + r]!));
  const out = e.add('Slice', [dy, e.ints(starts), e.ints(ends), e.ints(starts.map((_, i) => i + 2))]);
  const ds = e.shape(dy);
  e.setShape(out, [ds[0]!, ds[1]!, ...ends.map((v, i) => v - starts[i]!)], e.dtype(dy));
  geo.inSize = ends.map((v, i) => v - starts[i]!);
  geo.pads = geo.pads.map((p) => Math.max(0, p));
  return out;
}

/**
 * y = ConvTranspose(x, W) is the adjoint of the Conv with the same W [C, M/G, k…], strides, dilations, pads and
 * groups, read from y back to x's size. So dX = Conv(dY, W) with those attributes, and dW is that Conv's filter
 * gradient with dY as its input and x as its output gradient (conv-filter-grad.ts, the formulation Conv uses);
 * dB = Σ dY over batch and space.
 * Pads are resolved from pads / auto_pad / output_shape as the forward resolves them.
 */
export const ConvTranspose: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    const [x, w, b] = node.inputs as [string, string, string | undefined];
    const xs = e.shape(x);
    const ws = e.shape(w);
    const t = transposeGeometry(node, xs.slice(2), ws);
    const geo: ConvGeometry = {
      inSize: t.o,
      outSize: t.inS,
      kernel: t.kernel,
      strides: t.strides,
      dilations: t.dil,
      pads: t.pads,
      group: attrInt(node.attrs, 'group', 1),
    };
    const g = cropNegativePads(e, dy!, geo);
    const out: (string | undefined)[] = [];
    if (need[0])
      out[0] = e.add('Conv', [g, w], {
        strides: A.ints(geo.strides),
        dilations: A.ints(geo.dilations),
        pads: A.ints(geo.pads),
        group: A.int(geo.group),
      });
    if (need[1]) {
      const method = convSettings.filterGrad === 'auto' ? pickFilterGrad(e.shape(g), geo) : convSettings.filterGrad;
      const f = { taps: filterGradTaps, im2col: filterGradIm2col, 'transposed-conv': filterGradTransposedConv }[method];
      out[1] = f(e, g, x, ws, geo);
    }
    if (need[2] && b) out[2] = reduceSum(e, dy!, [0, ...geo.inSize.map((_, i) => i + 2)], false);
    return out;
  },
};
