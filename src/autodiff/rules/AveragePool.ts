import { A, attrInt } from '../../ir/attrs.js';
import { tensor } from '../../ir/tensor.js';
import { convGeometry, transposeBackAttrs } from '../conv-geometry.js';
import { binary, scale } from '../prims.js';
import type { GradRule } from '../types.js';

/**
 * dX = ConvTranspose(dY / count, ones[C,1,k]) with group = C: every window spreads its gradient evenly over its taps.
 * `count` is 1/|window| or, with count_include_pad = 0 and pads, a constant map of per-position tap counts.
 */
export const AveragePool: GradRule = {
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const xs = e.shape(x);
    const kernel = (node.attrs.kernel_shape?.value as number[]) ?? [];
    const geo = convGeometry(node, xs, e.shape(node.outputs[0]!), kernel);
    const includePad = attrInt(node.attrs, 'count_include_pad', 0) === 1;
    const counts = windowCounts(geo.inSize, geo.outSize, kernel, geo.strides, geo.dilations, geo.pads, includePad);
    const K = kernel.reduce((a, b) => a * b, 1);
    const uniform = counts.every((c) => c === K);
    const dt = e.dtype(x);
    const g = uniform
      ? scale(e, dy!, 1 / K)
      : binary(
          e,
          'Mul',
          dy!,
          e.const(
            tensor(
              dt,
              [1, 1, ...geo.outSize],
              Float32Array.from(counts, (c) => 1 / c),
            ),
            'grad/avgpool_inv_count',
          ),
        );
    const C = xs[1]!;
    const ones = tensor(dt, [C, 1, ...kernel], new Float32Array(C * K).fill(1));
    const back = transposeBackAttrs(geo);
    const attrs = {
      strides: A.ints(geo.strides),
      dilations: A.ints(geo.dilations),
      pads: A.ints(back.pads),
      group: A.int(C),
      ...(back.outputPadding ? { output_padding: A.ints(back.outputPadding) } : {}),
    };
    return [e.add('ConvTranspose', [g, e.const(ones, 'grad/avgpool_ones')], attrs)];
  },
};

/** Taps of each output window that the divisor counts (inside the input, or inside the padded input). */
function windowCounts(
  inSize: number[],
  outSize: number[],
  k: number[],
  s: number[],
  d: number[],
  pads: number[],
  includePad: boolean,
): number[] {
  const r = inSize.length;
  const per = inSize.map((n, i) => {
    const lo = includePad ? -pads[i]! : 0;
    const hi = includePad ? n + pads[i + r]! : n;
    return Array.from({ length: outSize[i]! }, (_, o) => {
      let c = 0;
      for (let t = 0; t < k[i]!; t++) {
        const p = o * s[i]! - pads[i]! + t * d[i]!;
        if (p >= lo && p < hi) c++;
      }
      return c;
    });
  });
  let out = [1];
  for (const axis of per) out = out.flatMap((a) => axis.map((b) => a * b));
  return out;
}
