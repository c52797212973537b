import type { Dim } from '../../graph.js';
import { attrInt, attrInts, attrString } from '../../attrs.js';
import type { Node } from '../../graph.js';
import type { ShapeCtx, ShapeRule } from '../context.js';

/** Window geometry shared by Conv, ConvTranspose and the pools. */
export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** [begin..., end...] as in ONNX, already resolved for auto_pad when the input size is known. */
  pads: number[];
  autoPad: string;
}

export function windowAttrs(node: Node, kernel: number[]): Omit<Window, 'pads'> & { pads?: number[] } {
  const r = kernel.length;
  const pads = attrInts(node.attrs, 'pads');
  return {
    kernel,
    strides: attrInts(node.attrs, 'strides', new Array(r).fill(1)),
    dilations: attrInts(node.attrs, 'dilations', new Array(r).fill(1)),
    pads,
    autoPad: attrString(node.attrs, 'auto_pad', 'NOTSET'),
  };
}

/**
 * Resolve pads for a forward window (Conv/pool) on numeric spatial sizes; SAME_* pads so that out = ceil(in / stride),
 * the extra pad going to the end (SAME_UPPER) or the beginning (SAME_LOWER).
 */
export function resolvePads(w: ReturnType<typeof windowAttrs>, spatial: number[]): number[] {
  const r = w.kernel.length;
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
    const pads = new Array<number>(2 * r).fill(0);
    for (let i = 0; i < r; i++) {
      const out = Math.ceil(spatial[i]! / w.strides[i]!);
      const ek = (w.kernel[i]! - 1) * w.dilations[i]! + 1;
      const total = Math.max(0, (out - 1) * w.strides[i]! + ek - spatial[i]!);
      const small = Math.floor(total / 2);
      pads[i] = w.autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + r] = total - pads[i]!;
    }
    return pads;
  }
  if (w.autoPad === 'VALID') return new Array<number>(2 * r).fill(0);
  return w.pads ?? new Array<number>(2 * r).fill(0);
}

/** Output spatial size of a forward window; `ceil` for pools with ceil_mode (PyTorch/ORT rule: last window must start inside). */
export function windowOut(c: ShapeCtx, w: ReturnType<typeof windowAttrs>, spatial: Dim[], ceil = false): Dim[] {
  const r = w.kernel.length;
  return spatial.map((s, i) => {
    if (typeof s !== 'number') {
      // Symbolic spatial size: exact only for the identity window.
      const ek = (w.kernel[i]! - 1) * w.dilations[i]! + 1;
      const padsZero = !w.pads || (w.pads[i] === 0 && w.pads[i + r] === 0);
      if (w.strides[i] === 1 && ek === 1 && (w.autoPad !== 'NOTSET' || padsZero)) return s;
      return c.fresh();
    }
    const ek = (w.kernel[i]! - 1) * w.dilations[i]! + 1;
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return Math.ceil(s / w.strides[i]!);
    if (w.autoPad === 'VALID') return (ceil ? Math.ceil : Math.floor)((s - ek) / w.strides[i]!) + 1;
    const pads = w.pads ?? new Array<number>(2 * r).fill(0);
    const span = s + pads[i]! + pads[i + r]! - ek;
    if (span < 0) c.fail(`window of ${ek} does not fit input size ${s} with pads ${pads[i]},${pads[i + r]}`);
    let out = (ceil ? Math.ceil : Math.floor)(span / w.strides[i]!) + 1;
    if (ceil && (out - 1) * w.strides[i]! >= s + pads[i]!) out--;
    return out;
  });
}

/** Per spatial axis (1-3 of them, `r`) of a transposed convolution. `pads` holds begins then ends. */
export interface TransposeGeo {
  r: number;
  inS: number[];
  kernel: number[];
  strides: number[];
  dil: number[];
  pads: number[];
  /** Output spatial sizes. */
  o: number[];
}

export function transposeGeometry(node: Node, inS: number[], wDims: number[]): TransposeGeo {
  const kernel = attrInts(node.attrs, 'kernel_shape') ?? wDims.slice(2);
  const r = kernel.length;
  const strides = attrInts(node.attrs, 'strides', new Array(r).fill(1));
  const dil = attrInts(node.attrs, 'dilations', new Array(r).fill(1));
  const outPad = attrInts(node.attrs, 'output_padding', new Array(r).fill(0));
  // Output size before padding is removed.
  const natural = (i: number) => strides[i]! * (inS[i]! - 1) + outPad[i]! + (kernel[i]! - 1) * dil[i]! + 1;
  const pads = transposePads(node, r, inS, strides, natural);
  const o = inS.map((_, i) => natural(i) - pads[i]! - pads[i + r]!);
  return { r, inS, kernel, strides, dil, pads, o };
}

/** Explicit pads, or (with output_shape or SAME_*) the padding that yields the target size, split per auto_pad. */
function transposePads(
  node: Node,
  r: number,
  inS: number[],
  strides: number[],
  natural: (i: number) => number,
): number[] {
  const autoPad = attrString(node.attrs, 'auto_pad', 'NOTSET');
  const outShape = attrInts(node.attrs, 'output_shape')?.slice(-r);
  let pads = attrInts(node.attrs, 'pads', new Array(2 * r).fill(0));
  if (outShape || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const target = outShape ?? inS.map((n, i) => n * strides[i]!);
    pads = new Array(2 * r).fill(0);
    for (let i = 0; i < r; i++) {
      const total = natural(i) - target[i]!;
      const half = Math.floor(total / 2);
      if (autoPad === 'SAME_UPPER') {
        pads[i] = half;
        pads[i + r] = total - half;
      } else {
        pads[i] = total - half;
        pads[i + r] = half;
      }
    }
  } else if (autoPad === 'VALID') pads = new Array(2 * r).fill(0);
  return pads;
}

const conv: ShapeRule = (c) => {
  const x = c.shape(0),
    w = c.shape(1);
  if (x.length < 3) c.fail(`input must be at least 3-D (N, C, spatial...), got rank ${x.length}`);
  const kAttr = attrInts(c.node.attrs, 'kernel_shape');
  const kernel =
    kAttr ?? w.slice(2).map((d) => (typeof d === 'number' ? d : c.fail('weight kernel dims must be static')));
  const group = attrInt(c.node.attrs, 'group', 1);
  if (typeof x[1] === 'number' && typeof w[1] === 'number' && x[1] !== w[1] * group) {
    c.fail(`input has ${x[1]} channels but the weight expects ${w[1] * group} (${w[1]} per group x ${group} groups)`);
  }
  if (w.length !== x.length) c.fail(`weight rank ${w.length} does not match input rank ${x.length}`);
  const win = windowAttrs(c.node, kernel);
  return [{ dtype: c.dtype(0), shape: [x[0]!, w[0]!, ...windowOut(c, win, x.slice(2))] }];
};

const convTranspose: ShapeRule = (c) => {
  const x = c.shape(0),
    w = c.shape(1);
  const group = attrInt(c.node.attrs, 'group', 1);
  const kAttr = attrInts(c.node.attrs, 'kernel_shape');
  const kernel =
    kAttr ?? w.slice(2).map((d) => (typeof d === 'number' ? d : c.fail('weight kernel dims must be static')));
  const r = kernel.length;
  const win = windowAttrs(c.node, kernel);
  const outPad = attrInts(c.node.attrs, 'output_padding', new Array(r).fill(0));
  const outShape = attrInts(c.node.attrs, 'output_shape');
  const m: Dim = typeof w[1] === 'number' ? w[1] * group : c.fresh();
  let spatial: Dim[];
  if (outShape) {
    spatial = outShape.slice(-r);
  } else {
    spatial = x.slice(2).map((s, i) => {
      if (typeof s !== 'number') return c.fresh();
      if (win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER') return s * win.strides[i]!;
      const pads =
        win.autoPad === 'VALID' ? new Array<number>(2 * r).fill(0) : (win.pads ?? new Array<number>(2 * r).fill(0));
      const ek = (kernel[i]! - 1) * win.dilations[i]! + 1;
      return win.strides[i]! * (s - 1) + outPad[i]! + ek - pads[i]! - pads[i + r]!;
    });
  }
  return [{ dtype: c.dtype(0), shape: [x[0]!, m, ...spatial] }];
};

function pool(kind: 'max' | 'avg'): ShapeRule {
  return (c) => {
    const x = c.shape(0);
    const kernel = attrInts(c.node.attrs, 'kernel_shape') ?? c.fail('kernel_shape attribute is required');
    const win = windowAttrs(c.node, kernel);
    const ceil = attrInt(c.node.attrs, 'ceil_mode', 0) === 1;
    const shape = [x[0]!, x[1]!, ...windowOut(c, win, x.slice(2), ceil)];
    const outs = [{ dtype: c.dtype(0), shape }];
    if (kind === 'max' && c.node.outputs.length > 1) outs.push({ dtype: 'int64', shape: [...shape] });
    return outs;
  };
}

const globalPool: ShapeRule = (c) => {
  const x = c.shape(0);
  return [{ dtype: c.dtype(0), shape: [x[0]!, x[1]!, ...x.slice(2).map(() => 1)] }];
};

export const convRules: Record<string, ShapeRule> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
};
