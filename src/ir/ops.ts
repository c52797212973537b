/**
 * Op semantics shared by shape inference, constant folding, the reference evaluator and other passes:
 * the places where ONNX changed an op's signature between opsets.
 */
import { attrFloat, attrInt, attrInts, attrTensor } from './attrs.js';
import type { Node } from './graph.js';
import { DTYPE_FROM_ONNX, f32, i64, type DType, type Tensor } from './tensor.js';
import { ReproError } from '../util/errors.js';

/** Opset from which a Reduce* op takes `axes` as its second input instead of an attribute. */
export function reduceAxesAsInputSince(opType: string): number {
  return opType === 'ReduceSum' ? 13 : 18;
}

/** Squeeze/Unsqueeze take `axes` as an input from opset 13. */
export const SQUEEZE_AXES_AS_INPUT_SINCE = 13;
/** Split takes `split` as an input from opset 13. */
export const SPLIT_AS_INPUT_SINCE = 13;
/** Pad takes `pads` (and constant_value) as inputs from opset 11. */
export const PAD_AS_INPUT_SINCE = 11;
/** Clip takes min/max as inputs from opset 11. */
export const CLIP_AS_INPUT_SINCE = 11;
/** Slice takes starts/ends/axes/steps as inputs from opset 10. */
export const SLICE_AS_INPUT_SINCE = 10;

/**
 * Reduce axes of a node given the (known) axes input. Returns `undefined` for "all axes",
 * `[]` for "no-op" (noop_with_empty_axes with empty axes).
 */
export function reduceAxes(
  node: Node,
  opset: number,
  axesInput: number[] | undefined,
  hasAxesInput: boolean,
): number[] | undefined {
  const fromInput = opset >= reduceAxesAsInputSince(node.opType);
  const axes = fromInput ? axesInput : attrInts(node.attrs, 'axes');
  if (fromInput && hasAxesInput && axesInput === undefined) {
    throw new ReproError(`node '${node.name}' (${node.opType}): axes input must be constant`);
  }
  if (axes === undefined || axes.length === 0) {
    return fromInput && attrInt(node.attrs, 'noop_with_empty_axes', 0) === 1 ? [] : undefined;
  }
  return axes;
}

/**
 * Softmax/LogSoftmax/Hardmax: before opset 13 the input is coerced to 2-D at `axis` (default 1) and the op
 * runs over the flattened trailing block; from 13 it runs over the single `axis` (default -1).
 * Returns the (normalized) axes the op normalizes over.
 */
export function softmaxAxes(node: Node, opset: number, rank: number): number[] {
  if (opset >= 13) {
    const a = attrInt(node.attrs, 'axis', -1);
    return [a < 0 ? a + rank : a];
  }
  const a0 = attrInt(node.attrs, 'axis', 1);
  const a = a0 < 0 ? a0 + rank : a0;
  const out: number[] = [];
  for (let i = a; i < rank; i++) out.push(i);
  return out;
}

export function castTarget(node: Node): DType {
  const to = attrInt(node.attrs, 'to');
  const dt = to === undefined ? undefined : DTYPE_FROM_ONNX[to];
  if (!dt)
    throw new ReproError(
      `node '${node.name}' (Cast): target type ${to} is not supported by reprune (float32/float64/int64/int32/int8/uint8/bool are)`,
    );
  return dt;
}

/** The tensor a Constant node produces (value, value_float(s), value_int(s)). */
export function constantNodeTensor(node: Node): Tensor {
  const t = attrTensor(node.attrs, 'value');
  if (t) return t;
  const a = node.attrs;
  if (a.value_float) return f32([], [attrFloat(a, 'value_float', 0)]);
  if (a.value_floats?.kind === 'floats') return f32([a.value_floats.value.length], a.value_floats.value);
  if (a.value_int) return i64([], [attrInt(a, 'value_int', 0)]);
  if (a.value_ints?.kind === 'ints') return i64([a.value_ints.value.length], a.value_ints.value);
  throw new ReproError(
    `node '${node.name}' (Constant): only value, value_float(s) and value_int(s) are supported (sparse_value and strings are not)`,
  );
}

/** Elementwise ops whose output is bool. */
export const COMPARISON_OPS = new Set([
  'Equal',
  'Greater',
  'Less',
  'GreaterOrEqual',
  'LessOrEqual',
  'And',
  'Or',
  'Xor',
  'Not',
]);
