import { A } from '../../ir/attrs.js';
import { convGeometry, outputPadding } from '../conv-geometry.js';
import { filterGradIm2col, filterGradTaps, filterGradTransposedConv, pickFilterGrad, type FilterGradMethod } from '../conv-filter-grad.js';
import { reduceSum } from '../prims.js';
import type { GradRule } from '../types.js';

/** Which filter-gradient formulation Conv emits (see conv-filter-grad.ts for the benchmark). */
export const convSettings: { filterGrad: FilterGradMethod } = { filterGrad: 'auto' };

/**
 * dX = ConvTranspose(dY, W) with the forward's strides/pads/dilations/group and the output_padding that restores
 * x's exact size; dW by the chosen formulation; dB = Σ dY over batch and space.
 */
export const Conv: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    const [x, w, b] = node.inputs as [string, string, string | undefined];
    const xs = e.shape(x);
    const ws = e.shape(w);
    const geo = convGeometry(node, xs, e.shape(node.outputs[0]!), ws.slice(2));
    const out: (string | undefined)[] = [];
    if (need[0]) {
      const op = outputPadding(geo);
      const attrs = {
        strides: A.ints(geo.strides), dilations: A.ints(geo.dilations), pads: A.ints(geo.pads), group: A.int(geo.group),
        ...(op.some((p) => p !== 0) ? { output_padding: A.ints(op) } : {}),
      };
      out[0] = e.add('ConvTranspose', [dy!, w], attrs);
    }
    if (need[1]) {
      const method = convSettings.filterGrad === 'auto' ? pickFilterGrad(xs, geo) : convSettings.filterGrad;
      const f = { taps: filterGradTaps, im2col: filterGradIm2col, 'transposed-conv': filterGradTransposedConv }[method];
      out[1] = f(e, x, dy!, ws, geo);
    }
    if (need[2] && b) out[2] = reduceSum(e, dy!, [0, ...geo.inSize.map((_, i) => i + 2)], false);
    return out;
  },
};
