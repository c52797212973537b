import { convGeometry } from '../conv-geometry.js';
import {
  inputGradConvTranspose,
  inputGradFlippedConv,
  pickInputGrad,
  type InputGradMethod,
} from '../conv-input-grad.js';
import {
  filterGradIm2col,
  filterGradTaps,
  filterGradTransposedConv,
  pickFilterGrad,
  type FilterGradMethod,
} from '../conv-filter-grad.js';
import { reduceSum } from '../prims.js';
import type { GradRule } from '../types.js';

/** Which input- and filter-gradient formulations Conv emits (conv-input-grad.ts, conv-filter-grad.ts say why). */
export const convSettings: { inputGrad: InputGradMethod; filterGrad: FilterGradMethod } = {
  inputGrad: 'auto',
  filterGrad: 'auto',
};

/**
 * dX = ConvTranspose(dY, W) with the forward's strides/pads/dilations/group (or its stride-1 equivalent, a Conv
 * with the flipped kernel); dW by the chosen formulation; dB = Σ dY over batch and space.
 */
export const Conv: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    const [x, w, b] = node.inputs as [string, string, string | undefined];
    const xs = e.shape(x);
    const ws = e.shape(w);
    const geo = convGeometry(node, xs, e.shape(node.outputs[0]!), ws.slice(2));
    const out: (string | undefined)[] = [];
    if (need[0]) {
      const method = convSettings.inputGrad === 'auto' ? pickInputGrad(xs, geo, e.opset) : convSettings.inputGrad;
      out[0] =
        method === 'flipped-conv' ? inputGradFlippedConv(e, dy!, w, ws, geo) : inputGradConvTranspose(e, dy!, w, geo);
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
