/** Typed tensors of the IR. Float weights are float32; shapes and indices are int64 (held as BigInt64Array, as ORT does). */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool';

export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;

export interface Tensor {
  dtype: DType;
  dims: number[];
  data: TensorData;
}

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
};
export const DTYPE_FROM_ONNX: Record<number, DType> = Object.fromEntries(
  Object.entries(ONNX_DTYPE).map(([k, v]) => [v, k as DType]),
) as Record<number, DType>;

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4,
  float64: 8,
  int64: 8,
  int32: 4,
  uint8: 1,
  int8: 1,
  bool: 1,
};

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function allocData(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
  }
}

export function tensor(dtype: DType, dims: number[], data?: TensorData): Tensor {
  const n = numel(dims);
  const d = data ?? allocData(dtype, n);
  if (d.length !== n) throw new Error(`tensor data has ${d.length} elements, dims ${JSON.stringify(dims)} need ${n}`);
  return { dtype, dims: [...dims], data: d };
}

export function f32(dims: number[], data?: Float32Array | number[]): Tensor {
  return tensor('float32', dims, data instanceof Float32Array ? data : data ? Float32Array.from(data) : undefined);
}

export function i64(dims: number[], values: ArrayLike<number | bigint>): Tensor {
  const d = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) d[i] = BigInt(values[i]!);
  return tensor('int64', dims, d);
}

/** A 1-D int64 tensor, the common form of shape and axes inputs. */
export function i64vec(values: ArrayLike<number | bigint>): Tensor {
  return i64([values.length], values);
}

export function scalarF32(v: number): Tensor {
  return f32([], [v]);
}

/** Values as plain JS numbers (int64 converted; safe for shapes and indices). */
export function toNumbers(t: Tensor): number[] {
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < t.data.length; i++) out[i] = Number(t.data[i]);
  return out;
}

export function asF32(t: Tensor): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return t.data as Float32Array;
}

export function cloneTensor(t: Tensor): Tensor {
  return { dtype: t.dtype, dims: [...t.dims], data: t.data.slice() as TensorData };
}

/** Bit-exact equality of dtype, dims and bytes. */
export function tensorsEqual(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.dims.length !== b.dims.length) return false;
  if (a.dims.some((d, i) => d !== b.dims[i])) return false;
  const ba = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const bb = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  if (ba.length !== bb.length) return false;
  for (let i = 0; i < ba.length; i++) if (ba[i] !== bb[i]) return false;
  return true;
}
