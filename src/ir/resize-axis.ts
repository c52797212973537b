/**
 * One resized axis as a dense [out, in] matrix: the input coordinate of each output index (float32 arithmetic, as
 * ONNX Runtime, so nearest-neighbour ties round the same way), and the taps each mode reads there.
 */
import type { AxisPlan, ResizeSettings } from './resize.js';

const f = Math.fround;

/** Input coordinate (float32 arithmetic, as ONNX Runtime) of output index x along one axis. */
export function originalCoord(s: ResizeSettings, x: number, inLen: number, outLen: number, p: AxisPlan): number {
  const scale = f(p.scale);
  switch (s.coord) {
    case 'half_pixel':
      return f(f(f(x + 0.5) / scale) - 0.5);
    case 'half_pixel_symmetric': {
      const adjustment = f(outLen / f(scale * inLen));
      const offset = f(f(inLen / 2) * f(1 - adjustment));
      return f(offset + f(f(f(x + 0.5) / scale) - 0.5));
    }
    case 'pytorch_half_pixel':
      return outLen > 1 ? f(f(f(x + 0.5) / scale) - 0.5) : 0;
    case 'align_corners':
      return outLen === 1 ? 0 : f(f(x * (inLen - 1)) / (outLen - 1));
    case 'tf_half_pixel_for_nn':
      return f(f(x + 0.5) / scale);
    case 'tf_crop_and_resize':
      return outLen > 1
        ? f(f(p.roiStart * (inLen - 1)) + f(f(x * f(p.roiEnd - p.roiStart) * (inLen - 1)) / (outLen - 1)))
        : f(f(0.5 * f(p.roiStart + p.roiEnd)) * (inLen - 1));
    default:
      return f(x / scale);
  }
}

function nearestIndex(s: ResizeSettings, x: number, scale: number): number {
  switch (s.nearestMode) {
    case 'round_prefer_ceil':
      return Math.round(x);
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'simple':
      return scale < 1 ? Math.ceil(x) : Math.trunc(x);
    default:
      // round_prefer_floor: a tie goes down.
      return x === Math.floor(x) + 0.5 ? Math.floor(x) : Math.round(x);
  }
}

/** Cubic convolution weights for the 4 taps floor(x)−1 … floor(x)+2 at fractional offset t (Keys, a = cubicA). */
function cubicWeights(t: number, a: number): number[] {
  const near = (d: number) => ((a + 2) * d - (a + 3)) * d * d + 1;
  const far = (d: number) => ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/**
 * Antialiased linear/cubic downscaling (opset 18): the filter (triangle, or the cubic kernel) is stretched by 1/scale,
 * so taps floor(x) + i for every i where it is non-zero, with weights normalized to sum 1.
 */
function antialiasTaps(s: ResizeSettings, x: number, scale: number): [number, number][] {
  const base = Math.floor(x);
  const t = x - base;
  const start = Math.floor(-(s.mode === 'linear' ? 1 : 2) / scale) + 1;
  const filter = (d: number) => {
    const a = Math.abs(d);
    if (s.mode === 'linear') return Math.max(0, 1 - a);
    const A = s.cubicA;
    if (a <= 1) return ((A + 2) * a - (A + 3)) * a * a + 1;
    return a < 2 ? ((A * a - 5 * A) * a + 8 * A) * a - 4 * A : 0;
  };
  const out: [number, number][] = [];
  for (let i = start; i < 2 - start; i++) out.push([base + i, filter(scale * (i - t))]);
  const sum = out.reduce((acc, [, w]) => acc + w, 0);
  return out.map(([i, w]) => [i, w / sum]);
}

/** Taps (input index, weight) of one output index, or undefined when it lies outside (tf_crop_and_resize). */
function taps(s: ResizeSettings, x: number, n: number, scale: number): [number, number][] | undefined {
  const outside = x < 0 || x > n - 1;
  if (s.coord === 'tf_crop_and_resize' && outside) return undefined;
  const clampI = (i: number) => Math.min(Math.max(i, 0), n - 1);
  if (s.mode === 'nearest') return [[clampI(nearestIndex(s, x, scale)), 1]];
  if (s.antialias && scale < 1) return withEdges(s, antialiasTaps(s, x, scale), n);
  if (s.mode === 'linear') {
    const xc = Math.min(Math.max(x, 0), n - 1);
    const i0 = Math.min(Math.floor(xc), n - 1);
    const i1 = Math.min(i0 + 1, n - 1);
    if (i0 === i1) return [[i0, 1]];
    return [
      [i0, i1 - xc],
      [i1, xc - i0],
    ];
  }
  const base = Math.floor(x);
  const w = cubicWeights(x - base, s.cubicA);
  return withEdges(
    s,
    w.map((wk, k) => [base - 1 + k, wk]),
    n,
  );
}

/** Taps beyond the edges: dropped and the rest renormalized (exclude_outside), or read from the edge element. */
function withEdges(s: ResizeSettings, t: [number, number][], n: number): [number, number][] {
  if (s.excludeOutside) {
    t = t.filter(([i]) => i >= 0 && i < n);
    const sum = t.reduce((acc, [, wk]) => acc + wk, 0);
    t = t.map(([i, wk]) => [i, wk / sum]);
  }
  return t.map(([i, wk]) => [Math.min(Math.max(i, 0), n - 1), wk]);
}

/** One axis as a dense [out, in] matrix plus the rows that take the extrapolation value. */
export interface AxisMatrix {
  inLen: number;
  outLen: number;
  /** Row-major [outLen, inLen]. */
  m: Float64Array;
  outside: Uint8Array;
  identity: boolean;
}

export function axisMatrix(s: ResizeSettings, inLen: number, p: AxisPlan): AxisMatrix {
  const outLen = p.out as number;
  const m = new Float64Array(outLen * inLen);
  const outside = new Uint8Array(outLen);
  for (let o = 0; o < outLen; o++) {
    const t = taps(s, originalCoord(s, o, inLen, outLen, p), inLen, p.scale);
    if (!t) outside[o] = 1;
    else for (const [i, w] of t) m[o * inLen + i]! += w;
  }
  let identity = outLen === inLen;
  for (let o = 0; o < outLen && identity; o++)
    for (let i = 0; i < inLen; i++) if (m[o * inLen + i] !== (o === i ? 1 : 0) || outside[o]) identity = false;
  return { inLen, outLen, m, outside, identity };
}
