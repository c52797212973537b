import { A, type Attrs } from '../../ir/attrs.js';
import { i64, numel, tensor } from '../../ir/tensor.js';
import { binary, expandTo, reshape } from '../prims.js';
import type { Emitter } from '../types.js';

/**
 * Backward of any op whose output element j copies input element src[j] (−1: a constant, e.g. padding) with a
 * shape-static map: gather the dY entries that came from the input and scatter them into zeros of x's shape
 * (ScatterElements, reduction=add where several outputs copy one input). Covers Slice with steps and Pad in
 * reflect/edge modes. Where the opset lacks that scatter, gatherByMap does the same with Gather only.
 */
export function scatterByMap(e: Emitter, dy: string, xShape: number[], src: Int32Array): string {
  const valid: number[] = [];
  const targets: number[] = [];
  const seen = new Set<number>();
  let dup = false;
  src.forEach((s, j) => {
    if (s < 0) return;
    valid.push(j);
    targets.push(s);
    if (seen.has(s)) dup = true;
    seen.add(s);
  });
  if (e.opset < (dup ? 16 : 11)) return gatherByMap(e, dy, xShape, src);
  const n = numel(xShape);
  const flat = reshape(e, dy, [src.length]);
  const picked =
    valid.length === src.length ? flat : e.add('Gather', [flat, e.const(i64([valid.length], valid), 'grad/map_src')]);
  const zeros = e.add('ConstantOfShape', [e.ints([n])]);
  const attrs: Attrs = dup ? { reduction: A.string('add') } : {};
  const out = e.add('ScatterElements', [zeros, e.const(i64([targets.length], targets), 'grad/map_dst'), picked], attrs);
  e.setShape(out, [n], e.dtype(dy));
  return reshape(e, out, xShape);
}

/**
 * The same backward with Gather only (any opset): the map is split into layers in which every input element is
 * the source of at most one output (layer k holds each input's k-th copy); layer k is one Gather from dY with a
 * zero appended (inputs without a k-th copy read the zero), and the layers are summed. Reflect/edge pads have a
 * handful of layers, a unit-step slice one.
 */
export function gatherByMap(e: Emitter, dy: string, xShape: number[], src: Int32Array): string {
  const n = numel(xShape);
  const m = src.length;
  const layers: Int32Array[] = [];
  const copies = new Int32Array(n);
  src.forEach((s, j) => {
    if (s < 0) return;
    const k = copies[s]!++;
    if (!layers[k]) layers[k] = new Int32Array(n).fill(m);
    layers[k]![s] = j;
  });
  const dt = e.dtype(dy);
  const padded = e.add('Concat', [reshape(e, dy, [m]), e.const(tensor(dt, [1]), 'grad/map_zero')], { axis: A.int(0) });
  e.setShape(padded, [m + 1], dt);
  let sum: string | undefined;
  for (const layer of layers) {
    const g = e.add('Gather', [padded, e.const(i64([n], layer), 'grad/map_layer')]);
    e.setShape(g, [n], dt);
    sum = sum ? binary(e, 'Add', sum, g) : g;
  }
  return reshape(e, sum ?? expandTo(e, e.scalar(0, dt), [n]), xShape);
}

/** Row-major strides of a shape. */
export function stridesOf(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Build src[j] for every output index j from a per-axis map axisSrc[axis][outCoord] (−1 = constant). */
export function mapFromAxes(outShape: number[], xShape: number[], axisSrc: number[][]): Int32Array {
  const n = numel(outShape);
  const src = new Int32Array(n);
  const xst = stridesOf(xShape);
  const ost = stridesOf(outShape);
  for (let j = 0; j < n; j++) {
    let off = 0;
    let rem = j;
    for (let a = 0; a < outShape.length; a++) {
      const c = Math.floor(rem / ost[a]!);
      rem -= c * ost[a]!;
      const s = axisSrc[a]![c]!;
      if (s < 0) {
        off = -1;
        break;
      }
      off += s * xst[a]!;
    }
    src[j] = off;
  }
  return src;
}
