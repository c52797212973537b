import type { Node } from '../graph.js';
import type { DType, Tensor } from '../tensor.js';
import { size } from '../fold/indexing.js';

/** Reference tensors hold every dtype as float64 numbers (ints exact below 2^53, bools 0/1). */
export interface RefTensor {
  dtype: DType;
  dims: number[];
  data: Float64Array;
}

export interface RefCtx {
  node: Node;
  opset: number;
  /** Inputs in node order; undefined where omitted. */
  inputs: (RefTensor | undefined)[];
}

export type RefKernel = (c: RefCtx) => RefTensor[];

export function ref(dtype: DType, dims: number[], data?: Float64Array): RefTensor {
  const d = data ?? new Float64Array(size(dims));
  if (d.length !== size(dims)) throw new Error(`reference tensor: ${d.length} values for dims [${dims.join(',')}]`);
  return { dtype, dims: [...dims], data: d };
}

export function fromTensor(t: Tensor): RefTensor {
  const d = new Float64Array(t.data.length);
  for (let i = 0; i < d.length; i++) d[i] = Number(t.data[i]);
  return ref(t.dtype, t.dims, d);
}

export function req(c: RefCtx, i: number): RefTensor {
  const t = c.inputs[i];
  if (!t) throw new Error(`${c.node.opType} '${c.node.name}': input ${i} is required`);
  return t;
}

export function ints(t: RefTensor | undefined): number[] | undefined {
  return t ? Array.from(t.data) : undefined;
}

export function normAxis(a: number, rank: number): number {
  return a < 0 ? a + rank : a;
}
