import { A, type Attrs } from '../../ir/attrs.js';
import { i64, numel } from '../../ir/tensor.js';
import { ReproError } from '../../util/errors.js';
import { reshape } from '../prims.js';
import type { Emitter } from '../types.js';

/**
 * Backward of any op whose output element j copies input element src[j] (−1: a constant, e.g. padding) with a
 * shape-static map: gather the dY entries that came from the input and scatter-add them into zeros of x's shape.
 * Covers Slice with steps and Pad in reflect/edge modes.
 */
export function scatterByMap(e: Emitter, dy: string, xShape: number[], src: Int32Array, nodeName: string): string {
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
  if (dup && e.opset < 16)
    throw new ReproError(
      `node '${nodeName}': its gradient needs ScatterElements(reduction=add), i.e. opset ≥ 16 (graph has ${e.opset})`,
    );
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
