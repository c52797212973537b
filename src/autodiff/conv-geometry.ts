import { attrInt, attrInts, attrString } from '../ir/attrs.js';
import type { Node } from '../ir/graph.js';
import { ReproError } from '../util/errors.js';

/** Everything about a Conv/pool window that the backward needs, with auto_pad resolved to explicit pads. */
export interface ConvGeometry {
  /** Spatial sizes of input and output, kernel, strides, dilations. */
  inSize: number[];
  outSize: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** [begin..., end...] as ONNX writes them. */
  pads: number[];
  group: number;
}

export function convGeometry(node: Node, xShape: number[], yShape: number[], kernel: number[]): ConvGeometry {
  const r = xShape.length - 2;
  const inSize = xShape.slice(2);
  const outSize = yShape.slice(2);
  const strides = attrInts(node.attrs, 'strides') ?? new Array<number>(r).fill(1);
  const dilations = attrInts(node.attrs, 'dilations') ?? new Array<number>(r).fill(1);
  const autoPad = attrString(node.attrs, 'auto_pad', 'NOTSET');
  let pads = attrInts(node.attrs, 'pads') ?? new Array<number>(2 * r).fill(0);
  if (autoPad === 'VALID') pads = new Array<number>(2 * r).fill(0);
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = new Array<number>(2 * r).fill(0);
    for (let i = 0; i < r; i++) {
      const total = Math.max(0, (outSize[i]! - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - inSize[i]!);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + r] = total - pads[i]!;
    }
  } else if (autoPad !== 'NOTSET') {
    throw new ReproError(`node '${node.name}' (${node.opType}): auto_pad '${autoPad}' is not a valid value`);
  }
  return { inSize, outSize, kernel, strides, dilations, pads, group: attrInt(node.attrs, 'group', 1) };
}

/**
 * output_padding that makes ConvTranspose(dY) come out exactly the input's size: the rows a strided window never
 * reached (input + pads − window) mod stride, which the transposed conv would otherwise drop.
 */
export function outputPadding(geo: ConvGeometry): number[] {
  const r = geo.inSize.length;
  return geo.inSize.map((n, i) => {
    const span = geo.strides[i]! * (geo.outSize[i]! - 1) + (geo.kernel[i]! - 1) * geo.dilations[i]! + 1;
    return n - (span - geo.pads[i]! - geo.pads[i + r]!);
  });
}

/**
 * pads and output_padding for a ConvTranspose that maps the window's output grid back onto exactly the input size.
 * A negative output padding (ceil_mode windows that overhang the padded input) becomes extra end padding (a crop).
 */
export function transposeBackAttrs(geo: ConvGeometry): { pads: number[]; outputPadding?: number[] } {
  const r = geo.kernel.length;
  const op = outputPadding(geo);
  const pads = [...geo.pads];
  op.forEach((p, i) => {
    if (p < 0) {
      pads[i + r] = pads[i + r]! - p;
      op[i] = 0;
    }
  });
  return op.some((p) => p !== 0) ? { pads, outputPadding: op } : { pads };
}
