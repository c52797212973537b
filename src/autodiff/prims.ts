/** Small emit helpers shared by the gradient rules: opset-aware reductions, reshapes and un-broadcasting. */
import { A } from '../ir/attrs.js';
import { reduceAxesAsInputSince } from '../ir/ops.js';
import { numel, ONNX_DTYPE, type DType } from '../ir/tensor.js';
import type { Emitter } from './types.js';

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Reduce (Sum/Mean/SumSquare/Max) over `axes`, with axes as attribute or input as the opset wants. */
export function reduce(
  e: Emitter,
  op: 'ReduceSum' | 'ReduceMean' | 'ReduceSumSquare' | 'ReduceMax',
  x: string,
  axes: number[],
  keepdims: boolean,
): string {
  const xs = e.shape(x);
  const ax = axes.map((a) => (a < 0 ? a + xs.length : a));
  const out =
    e.opset >= reduceAxesAsInputSince(op)
      ? e.add(op, [x, e.ints(ax)], { keepdims: A.int(keepdims ? 1 : 0) })
      : e.add(op, [x], { axes: A.ints(ax), keepdims: A.int(keepdims ? 1 : 0) });
  const s = keepdims ? xs.map((d, i) => (ax.includes(i) ? 1 : d)) : xs.filter((_, i) => !ax.includes(i));
  e.setShape(out, s, e.dtype(x));
  return out;
}

export function reduceSum(e: Emitter, x: string, axes: number[], keepdims: boolean): string {
  return reduce(e, 'ReduceSum', x, axes, keepdims);
}

/** Reshape to a static shape (no node if the shape already matches). */
export function reshape(e: Emitter, x: string, shape: readonly number[]): string {
  if (sameShape(e.shape(x), shape)) return x;
  const out = e.add('Reshape', [x, e.ints(shape)]);
  e.setShape(out, shape, e.dtype(x));
  return out;
}

/** Broadcast to `shape` (no node if it already has it). */
export function expandTo(e: Emitter, x: string, shape: readonly number[]): string {
  if (sameShape(e.shape(x), shape)) return x;
  const out = e.add('Expand', [x, e.ints(shape)]);
  e.setShape(out, shape, e.dtype(x));
  return out;
}

/** Sum a broadcast gradient back to the shape of the operand that was broadcast. */
export function unbroadcast(e: Emitter, g: string, target: readonly number[]): string {
  const gs = e.shape(g);
  if (sameShape(gs, target)) return g;
  const lead = gs.length - target.length;
  const axes: number[] = [];
  for (let i = 0; i < gs.length; i++) {
    const t = i < lead ? 1 : target[i - lead]!;
    if (i < lead || (t === 1 && gs[i] !== 1)) axes.push(i);
  }
  const r = axes.length ? reduceSum(e, g, axes, true) : g;
  return reshape(e, r, target);
}

/** Elementwise binary op; records the broadcast result shape. */
export function binary(e: Emitter, op: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow', a: string, b: string): string {
  const out = e.add(op, [a, b]);
  e.setShape(out, broadcastShape(e.shape(a), e.shape(b)), e.dtype(a));
  return out;
}

export function unary(e: Emitter, op: string, x: string, attrs = {}): string {
  const out = e.add(op, [x], attrs);
  e.setShape(out, e.shape(x), e.dtype(x));
  return out;
}

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Multiply by a constant scalar (no node for 1). */
export function scale(e: Emitter, x: string, s: number): string {
  if (s === 1) return x;
  return binary(e, 'Mul', x, e.scalar(s, e.dtype(x)));
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

export function count(shape: readonly number[]): number {
  return numel(shape);
}

/** A float 0/1 mask of the comparison a ⋈ b (broadcast), `negate` for its complement; Greater/Less exist from opset 7. */
export function floatMask(e: Emitter, op: 'Greater' | 'Less', a: string, b: string, negate = false): string {
  let m = e.add(op, [a, b]);
  if (negate) m = e.add('Not', [m]);
  const dt = e.dtype(a);
  const out = e.add('Cast', [m], { to: A.int(ONNX_DTYPE[dt]) });
  e.setShape(out, broadcastShape(e.shape(a), e.shape(b)), dt);
  return out;
}

/** cond ? a : b, broadcast; the dtype is a's. */
export function select(e: Emitter, cond: string, a: string, b: string, shape: readonly number[]): string {
  const out = e.add('Where', [cond, a, b]);
  e.setShape(out, shape, e.dtype(a));
  return out;
}

export function transpose(e: Emitter, x: string, perm: readonly number[]): string {
  const s = e.shape(x);
  const out = e.add('Transpose', [x], { perm: A.ints([...perm]) });
  e.setShape(
    out,
    perm.map((p) => s[p]!),
    e.dtype(x),
  );
  return out;
}

export function inversePerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return inv;
}

/** Zeros of a static shape (the gradient of an output nothing reads). */
export function zeros(e: Emitter, shape: readonly number[], dtype: DType): string {
  return expandTo(e, e.scalar(0, dtype), shape);
}
