/**
 * Two ONNX formulations of a Conv's filter gradient dW[o,c,k] = Σ_n Σ_p dY[n,o,p]·X[n,c,window(p,k)].
 * Benchmarked in ORT 1.30 on lenet5 / vgg-small shapes (see test/autodiff/bench-conv-filter.ts and the report);
 * `auto` (default) picks between `taps` and `transposed-conv` by shape; `im2col` was never the fastest.
 */
import { A } from '../ir/attrs.js';
import { PAD_AS_INPUT_SINCE } from '../ir/ops.js';
import { tensor } from '../ir/tensor.js';
import type { ConvGeometry } from './conv-geometry.js';
import { reduceSum, reshape } from './prims.js';
import type { Emitter } from './types.js';

export type FilterGradMethod = 'auto' | 'taps' | 'im2col' | 'transposed-conv';

/**
 * The `auto` choice, from CPU-time measurements in ORT 1.30 (1 thread, test/autodiff/bench-conv-filter.ts):
 * per-tap MatMuls win for stride-1 convs with ≥ 16 input channels per group (vgg-small: 1.2–1.7× less than the
 * transposed Conv, 2–2.1× less than im2col) and for depthwise convs; the transposed Conv wins for few input
 * channels (lenet5, first layers) and strided convs.
 */
export function pickFilterGrad(xShape: number[], geo: ConvGeometry): Exclude<FilterGradMethod, 'auto'> {
  const cig = xShape[1]! / geo.group;
  const depthwise = cig === 1 && geo.group > 1;
  return geo.strides.every((s) => s === 1) && (cig >= 16 || depthwise) ? 'taps' : 'transposed-conv';
}

function transpose(e: Emitter, x: string, perm: number[]): string {
  const s = e.shape(x);
  const out = e.add('Transpose', [x], { perm: A.ints(perm) });
  e.setShape(
    out,
    perm.map((p) => s[p]!),
    e.dtype(x),
  );
  return out;
}

/**
 * (a) A Conv with batch and channels swapped: input X viewed as [Cig, G·N, H, W] (N becomes the channels), filter
 * dY as [Cout, N, Ho, Wo]; strides and dilations trade places. Output [Cig, Cout, k'] is sliced to k and transposed.
 */
export function filterGradTransposedConv(
  e: Emitter,
  x: string,
  dy: string,
  wShape: number[],
  geo: ConvGeometry,
): string {
  const xs = e.shape(x);
  const [N, C] = xs as [number, number];
  const G = geo.group;
  const r = geo.inSize.length;
  const sp = (n: number) => Array.from({ length: r }, (_, i) => i + n);
  let xg: string;
  if (G === 1) xg = transpose(e, x, [1, 0, ...sp(2)]);
  else {
    const x5 = reshape(e, x, [N, G, C / G, ...geo.inSize]);
    xg = reshape(e, transpose(e, x5, [2, 1, 0, ...sp(3)]), [C / G, G * N, ...geo.inSize]);
  }
  const dyt = transpose(e, dy, [1, 0, ...sp(2)]);
  const conv = e.add('Conv', [xg, dyt], {
    strides: A.ints(geo.dilations),
    dilations: A.ints(geo.strides),
    pads: A.ints(geo.pads),
    group: A.int(G),
  });
  const outSp = geo.inSize.map(
    (n, i) =>
      Math.floor(
        (n + geo.pads[i]! + geo.pads[i + r]! - ((geo.outSize[i]! - 1) * geo.strides[i]! + 1)) / geo.dilations[i]!,
      ) + 1,
  );
  e.setShape(conv, [C / G, wShape[0]!, ...outSp], e.dtype(x));
  let res = conv;
  if (outSp.some((n, i) => n !== geo.kernel[i])) {
    res = e.add('Slice', [conv, e.ints(new Array<number>(r).fill(0)), e.ints(geo.kernel), e.ints(sp(2))]);
    e.setShape(res, [C / G, wShape[0]!, ...geo.kernel], e.dtype(x));
  }
  return transpose(e, res, [1, 0, ...sp(2)]);
}

/**
 * (b) im2col: one Conv with one-hot filters [K, 1, k...] extracts the K window taps of every (n, c) plane, then a
 * batched MatMul dY[n]·cols[n]ᵀ and a sum over n. 1×1 stride-1 unpadded convs skip the im2col.
 */
export function filterGradIm2col(e: Emitter, x: string, dy: string, wShape: number[], geo: ConvGeometry): string {
  const xs = e.shape(x);
  const [N, C] = xs as [number, number];
  const G = geo.group;
  const Cout = wShape[0]!;
  const K = geo.kernel.reduce((a, b) => a * b, 1);
  const P = geo.outSize.reduce((a, b) => a * b, 1);
  const trivial = K === 1 && geo.strides.every((s) => s === 1) && geo.pads.every((p) => p === 0);
  let cols: string;
  if (trivial) cols = reshape(e, x, [N, C, P]);
  else {
    const eye = tensor(e.dtype(x), [K, 1, ...geo.kernel]);
    for (let k = 0; k < K; k++) (eye.data as Float32Array)[k * K + k] = 1;
    const planes = reshape(e, x, [N * C, 1, ...geo.inSize]);
    const c = e.add('Conv', [planes, e.const(eye, 'grad/im2col_eye')], {
      strides: A.ints(geo.strides),
      dilations: A.ints(geo.dilations),
      pads: A.ints(geo.pads),
    });
    e.setShape(c, [N * C, K, ...geo.outSize], e.dtype(x));
    cols = reshape(e, c, [N, C * K, P]);
  }
  if (G === 1) {
    const dy3 = reshape(e, dy, [N, Cout, P]);
    const colsT = transpose(e, cols, [0, 2, 1]);
    const prod = e.add('MatMul', [dy3, colsT]);
    e.setShape(prod, [N, Cout, C * K], e.dtype(x));
    return reshape(e, reduceSum(e, prod, [0], false), wShape);
  }
  // Grouped: [N, G, Cog, P] · [N, G, P, Cig·K] → sum over N.
  const dy4 = reshape(e, dy, [N, G, Cout / G, P]);
  const cols4 = transpose(e, reshape(e, cols, [N, G, (C / G) * K, P]), [0, 1, 3, 2]);
  const prod = e.add('MatMul', [dy4, cols4]);
  e.setShape(prod, [N, G, Cout / G, (C / G) * K], e.dtype(x));
  return reshape(e, reduceSum(e, prod, [0], false), wShape);
}

/**
 * (c) One batched MatMul per kernel tap: for tap t the strided Slice of the zero-padded input X[:, :, t + s·p]
 * ([N, C, Ho, Wo], a plain copy) times dYᵀ ([N, P, Cout], transposed once) gives that tap's [N, Cin, Cout]
 * contribution; the taps are concatenated and summed over N. No im2col buffer, every product is a full GEMM
 * over the output positions, and the batch axis gives ORT's MatMul independent work per thread.
 */
export function filterGradTaps(e: Emitter, x: string, dy: string, wShape: number[], geo: ConvGeometry): string {
  const xs = e.shape(x);
  const [N, C] = xs as [number, number];
  const G = geo.group;
  const Cout = wShape[0]!;
  const Cig = C / G;
  const Cog = Cout / G;
  const r = geo.inSize.length;
  const P = geo.outSize.reduce((a, b) => a * b, 1);
  const K = geo.kernel.reduce((a, b) => a * b, 1);
  const dt = e.dtype(x);
  let xp = x;
  if (geo.pads.some((p) => p !== 0)) {
    const pads = [0, 0, ...geo.pads.slice(0, r), 0, 0, ...geo.pads.slice(r)];
    xp = e.opset >= PAD_AS_INPUT_SINCE ? e.add('Pad', [x, e.ints(pads)]) : e.add('Pad', [x], { pads: A.ints(pads) });
    e.setShape(xp, [N, C, ...geo.inSize.map((n, i) => n + geo.pads[i]! + geo.pads[i + r]!)], dt);
  }
  const dyT = transpose(e, reshape(e, dy, [N, G, Cog, P]), [0, 1, 3, 2]); // [N, G, P, Cog]
  const axes = e.ints(Array.from({ length: r }, (_, i) => i + 2));
  const steps = e.ints(geo.strides);
  const parts: string[] = [];
  for (let t = 0; t < K; t++) {
    // Kernel multi-index of tap t (row-major over the kernel dims).
    const tap: number[] = [];
    let rem = t;
    for (let i = r - 1; i >= 0; i--) {
      tap[i] = rem % geo.kernel[i]!;
      rem = Math.floor(rem / geo.kernel[i]!);
    }
    const starts = tap.map((k, i) => k * geo.dilations[i]!);
    const ends = starts.map((s0, i) => s0 + geo.strides[i]! * (geo.outSize[i]! - 1) + 1);
    const sl = e.add('Slice', [xp, e.ints(starts), e.ints(ends), axes, steps]);
    e.setShape(sl, [N, C, ...geo.outSize], dt);
    const prod = e.add('MatMul', [reshape(e, sl, [N, G, Cig, P]), dyT]);
    e.setShape(prod, [N, G, Cig, Cog], dt);
    // Sum over the batch per tap (small), so the taps stack along a leading axis: contiguous blocks, no interleave.
    parts.push(reduceSum(e, prod, [0], true)); // [1, G, Cig, Cog]
  }
  let all = parts[0]!;
  if (K > 1) {
    all = e.add('Concat', parts, { axis: A.int(0) });
    e.setShape(all, [K, G, Cig, Cog], dt);
  }
  return reshape(e, transpose(e, all, [1, 3, 2, 0]), wShape); // [G, Cog, Cig, K] → [Cout, Cig, k...]
}
