/**
 * Exact kernels for constant folding: only ops whose result is bit-identical to ORT's (data movement, int64 arithmetic,
 * correctly rounded float32 + - * / sqrt). Anything else (exp, matmul, ...) stays in the graph.
 */
import { attrInt, attrInts, attrTensor } from '../attrs.js';
import type { Node } from '../graph.js';
import { SLICE_AS_INPUT_SINCE } from '../ops.js';
import { allocData, toNumbers, type DType, type Tensor, type TensorData } from '../tensor.js';
import { sliceRange } from '../shape/rules/slicing.js';
import { broadcastMap, concatMap, gatherMap, size, sliceMap, transposeMap } from './indexing.js';

export interface FoldType {
  dtype: DType;
  shape: number[];
}
export type FoldKernel = (
  node: Node,
  inputs: (Tensor | undefined)[],
  outs: FoldType[],
  opset: number,
) => Tensor[] | undefined;

/** Ops that may create tensors larger than their inputs are folded only up to this many elements. */
export const MAX_GROWTH_ELEMENTS = 1 << 16;

function gatherData(src: TensorData, map: Int32Array, dtype: DType): TensorData {
  const out = allocData(dtype, map.length);
  for (let i = 0; i < map.length; i++) (out as Float32Array)[i] = (src as Float32Array)[map[i]!]!;
  return out;
}

const sameData: FoldKernel = (_n, [x], [o]) =>
  x && o ? [{ dtype: o.dtype, dims: o.shape, data: x.data.slice() as TensorData }] : undefined;

const transpose: FoldKernel = (n, [x]) => {
  if (!x) return undefined;
  const perm = attrInts(
    n.attrs,
    'perm',
    x.dims.map((_, i) => x.dims.length - 1 - i),
  );
  const { dims, map } = transposeMap(x.dims, perm);
  return [{ dtype: x.dtype, dims, data: gatherData(x.data, map, x.dtype) }];
};

const gather: FoldKernel = (n, [x, idx]) => {
  if (!x || !idx) return undefined;
  const axis0 = attrInt(n.attrs, 'axis', 0);
  const axis = axis0 < 0 ? axis0 + x.dims.length : axis0;
  const ind = toNumbers(idx).map((i) => (i < 0 ? i + x.dims[axis]! : i));
  if (ind.some((i) => i < 0 || i >= x.dims[axis]!)) return undefined;
  const { dims, map } = gatherMap(x.dims, axis, ind, idx.dims);
  return [{ dtype: x.dtype, dims, data: gatherData(x.data, map, x.dtype) }];
};

const concat: FoldKernel = (n, ins) => {
  const ts = ins.filter((t): t is Tensor => !!t);
  if (ts.length !== ins.length || ts.length === 0) return undefined;
  const axis0 = attrInt(n.attrs, 'axis', 0);
  const axis = axis0 < 0 ? axis0 + ts[0]!.dims.length : axis0;
  const { dims, which, map } = concatMap(
    ts.map((t) => t.dims),
    axis,
  );
  const out = allocData(ts[0]!.dtype, which.length) as Float32Array;
  for (let i = 0; i < which.length; i++) out[i] = (ts[which[i]!]!.data as Float32Array)[map[i]!]!;
  return [{ dtype: ts[0]!.dtype, dims, data: out }];
};

const slice: FoldKernel = (n, ins, _o, opset) => {
  const x = ins[0];
  if (!x) return undefined;
  const get = (i: number) => (ins[i] ? toNumbers(ins[i]!) : undefined);
  let starts: number[] | undefined, ends: number[] | undefined, axes: number[] | undefined, steps: number[] | undefined;
  if (opset < SLICE_AS_INPUT_SINCE) {
    starts = attrInts(n.attrs, 'starts');
    ends = attrInts(n.attrs, 'ends');
    axes = attrInts(n.attrs, 'axes');
  } else {
    if ((n.inputs[3] && !ins[3]) || (n.inputs[4] && !ins[4])) return undefined;
    starts = get(1);
    ends = get(2);
    axes = get(3);
    steps = get(4);
  }
  if (!starts || !ends) return undefined;
  const ranges = x.dims.map((d) => ({ start: 0, count: d, step: 1 }));
  (axes ?? starts.map((_, i) => i)).forEach((a0, k) => {
    const a = a0 < 0 ? a0 + x.dims.length : a0;
    const step = steps?.[k] ?? 1;
    const r = sliceRange(x.dims[a]!, starts![k]!, ends![k]!, step);
    ranges[a] = { start: r.start, count: r.count, step };
  });
  const { dims, map } = sliceMap(x.dims, ranges);
  return [{ dtype: x.dtype, dims, data: gatherData(x.data, map, x.dtype) }];
};

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** Cast with C++ static_cast semantics (float→int truncates toward zero). */
function castValue(v: number | bigint, to: DType): number | bigint {
  if (to === 'int64') {
    if (typeof v === 'bigint') return v;
    if (!Number.isFinite(v)) return undefined as never;
    const b = BigInt(Math.trunc(v));
    return b > INT64_MAX ? INT64_MAX : b < INT64_MIN ? INT64_MIN : b;
  }
  const x = Number(v);
  switch (to) {
    case 'float32':
      return Math.fround(x);
    case 'float64':
      return x;
    case 'bool':
      return x !== 0 ? 1 : 0;
    default:
      return Math.trunc(x); // int32/int8/uint8 wrap via the typed array
  }
}

const cast: FoldKernel = (_n, [x], [o]) => {
  if (!x || !o) return undefined;
  if (
    (x.dtype === 'float32' || x.dtype === 'float64') &&
    o.dtype !== 'float32' &&
    o.dtype !== 'float64' &&
    o.dtype !== 'bool'
  ) {
    for (const v of x.data as Float32Array) if (!Number.isFinite(v)) return undefined; // platform-defined in C++
  }
  const out = allocData(o.dtype, x.data.length);
  for (let i = 0; i < x.data.length; i++) (out as unknown as (number | bigint)[])[i] = castValue(x.data[i]!, o.dtype);
  return [{ dtype: o.dtype, dims: [...x.dims], data: out }];
};

type Arith = (a: number, b: number) => number;
const FLOAT_OPS: Record<string, Arith> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
};
const INT_OPS: Record<string, (a: bigint, b: bigint) => bigint> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
};

const arith: FoldKernel = (n, [a, b], [o]) => {
  if (!a || !b || !o || a.dtype !== b.dtype) return undefined;
  const ma = broadcastMap(o.shape, a.dims),
    mb = broadcastMap(o.shape, b.dims);
  const out = allocData(o.dtype, ma.length);
  if (a.dtype === 'int64') {
    const f = INT_OPS[n.opType]!;
    const da = a.data as BigInt64Array,
      db = b.data as BigInt64Array,
      d = out as BigInt64Array;
    for (let i = 0; i < ma.length; i++) {
      if (n.opType === 'Div' && db[mb[i]!] === 0n) return undefined;
      d[i] = BigInt.asIntN(64, f(da[ma[i]!]!, db[mb[i]!]!));
    }
  } else if (a.dtype === 'float32' || a.dtype === 'float64') {
    // float32 results computed in float64 then rounded once are correctly rounded for + - * / (as ORT's are).
    const f = FLOAT_OPS[n.opType]!;
    const da = a.data as Float32Array,
      db = b.data as Float32Array,
      d = out as Float32Array;
    for (let i = 0; i < ma.length; i++) d[i] = f(da[ma[i]!]!, db[mb[i]!]!);
  } else return undefined;
  return [{ dtype: o.dtype, dims: o.shape, data: out }];
};

const neg: FoldKernel = (_n, [x]) => {
  if (!x) return undefined;
  const out = x.data.slice() as TensorData;
  if (out instanceof BigInt64Array) for (let i = 0; i < out.length; i++) out[i] = BigInt.asIntN(64, -out[i]!);
  else if (out instanceof Float32Array || out instanceof Float64Array || out instanceof Int32Array)
    for (let i = 0; i < out.length; i++) out[i] = -out[i]!;
  else return undefined;
  return [{ dtype: x.dtype, dims: [...x.dims], data: out }];
};

const sqrt: FoldKernel = (_n, [x]) => {
  if (!x || (x.dtype !== 'float32' && x.dtype !== 'float64')) return undefined;
  const out = (x.data as Float32Array).map(Math.sqrt);
  return [{ dtype: x.dtype, dims: [...x.dims], data: out }];
};

const constantOfShape: FoldKernel = (n, _i, [o]) => {
  if (!o || size(o.shape) > MAX_GROWTH_ELEMENTS) return undefined;
  const v = attrTensor(n.attrs, 'value');
  const out = allocData(o.dtype, size(o.shape));
  if (v) (out as Float32Array).fill((v.data as Float32Array)[0]! as number);
  return [{ dtype: o.dtype, dims: o.shape, data: out }];
};

export const FOLD_KERNELS: Record<string, FoldKernel> = {
  Identity: sameData,
  Reshape: sameData,
  Flatten: sameData,
  Squeeze: sameData,
  Unsqueeze: sameData,
  Transpose: transpose,
  Gather: gather,
  Concat: concat,
  Slice: slice,
  Cast: cast,
  Add: arith,
  Sub: arith,
  Mul: arith,
  Div: arith,
  Neg: neg,
  Sqrt: sqrt,
  ConstantOfShape: constantOfShape,
};
