/**
 * Two ONNX formulations of a Conv's input gradient dX = Σ_o dY[n,o,·] ⋆ W[o,c,·] ("full" correlation).
 *
 * `conv-transpose` is the textbook ConvTranspose(dY, W). `flipped-conv` rewrites it, for stride-1 convs, as an
 * ordinary Conv of dY with the kernel transposed to [Cin, Cout/G] and flipped in space, padded by d·(k−1) − p.
 * Why: ORT's ConvTranspose scatters its columns back with a single-threaded col2im, so it barely gains from a
 * second thread, while Conv is threaded throughout; which one is faster depends on the shape (pickInputGrad).
 */
import { A } from '../ir/attrs.js';
import type { ConvGeometry } from './conv-geometry.js';
import { outputPadding } from './conv-geometry.js';
import { reshape } from './prims.js';
import type { Emitter } from './types.js';

export type InputGradMethod = 'auto' | 'conv-transpose' | 'flipped-conv';

/** Pads of the equivalent forward Conv, or undefined when the rewrite does not apply (strides, large pads). */
function flippedPads(geo: ConvGeometry): number[] | undefined {
  if (geo.strides.some((s) => s !== 1)) return undefined;
  const r = geo.kernel.length;
  const pads = geo.pads.map((p, i) => geo.dilations[i % r]! * (geo.kernel[i % r]! - 1) - p);
  return pads.every((p) => p >= 0) ? pads : undefined;
}

/**
 * `auto`, from wall-clock minima in ORT 1.30 with the weight fed as in training (test/autodiff/bench-conv-input.ts,
 * 2 threads): the flipped Conv wins for ≥ 32 input channels per group on maps of ≥ 14×14 (vgg-small: 1.0–1.75×)
 * and loses on 7×7 maps (0.5–0.85×) and on few channels with wide kernels (lenet5 conv2: 0.2–0.5×).
 * Needs Slice with steps (opset ≥ 10).
 */
export function pickInputGrad(xShape: number[], geo: ConvGeometry, opset: number): Exclude<InputGradMethod, 'auto'> {
  const area = geo.inSize.reduce((a, b) => a * b, 1);
  const wide = xShape[1]! / geo.group >= 32 && area >= 196;
  return opset >= 10 && wide && flippedPads(geo) ? 'flipped-conv' : 'conv-transpose';
}

export function inputGradConvTranspose(e: Emitter, dy: string, w: string, geo: ConvGeometry): string {
  const op = outputPadding(geo);
  return e.add('ConvTranspose', [dy, w], {
    strides: A.ints(geo.strides),
    dilations: A.ints(geo.dilations),
    pads: A.ints(geo.pads),
    group: A.int(geo.group),
    ...(op.some((p) => p !== 0) ? { output_padding: A.ints(op) } : {}),
  });
}

/** Kernel [Cout, Cin/G, k…] → [Cin, Cout/G, k…], each group's block transposed, every spatial axis reversed. */
function flippedKernel(e: Emitter, w: string, ws: number[], G: number): string {
  const [cout, cig, ...k] = ws as [number, number, ...number[]];
  const sp = k.map((_, i) => i + 2);
  let t: string;
  if (G === 1) t = e.add('Transpose', [w], { perm: A.ints([1, 0, ...sp]) });
  else {
    const w5 = reshape(e, w, [G, cout / G, cig, ...k]);
    const t5 = e.add('Transpose', [w5], { perm: A.ints([0, 2, 1, ...sp.map((a) => a + 1)]) });
    e.setShape(t5, [G, cig, cout / G, ...k], e.dtype(w));
    t = reshape(e, t5, [G * cig, cout / G, ...k]);
  }
  e.setShape(t, [G * cig, cout / G, ...k], e.dtype(w));
  // Reverse: start at the last element, step −1, run past the front (any end below −k clamps to "before 0").
  const flipped = e.add('Slice', [
    t,
    e.ints(k.map(() => -1)),
    e.ints(k.map((n) => -n - 1)),
    e.ints(sp),
    e.ints(k.map(() => -1)),
  ]);
  e.setShape(flipped, [G * cig, cout / G, ...k], e.dtype(w));
  return flipped;
}

export function inputGradFlippedConv(e: Emitter, dy: string, w: string, ws: number[], geo: ConvGeometry): string {
  const pads = flippedPads(geo);
  if (!pads) return inputGradConvTranspose(e, dy, w, geo);
  return e.add('Conv', [dy, flippedKernel(e, w, ws, geo.group)], {
    dilations: A.ints(geo.dilations),
    pads: A.ints(pads),
    group: A.int(geo.group),
  });
}
