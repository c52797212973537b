import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReproError } from '../util/errors.js';
import { openRegularFile, readInto } from '../util/read-file.js';
import { allocData, BYTES_PER_ELEMENT, DTYPE_FROM_ONNX, type Tensor, type TensorData } from '../ir/tensor.js';
import { longToNumber, type TensorProto } from './proto.js';

/** Element count of `dims`, refusing negative, fractional or absurd sizes before anything is allocated. */
export function checkedNumel(dims: number[], where: string): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0)
      throw new ReproError(`${where}: dimension ${d} is invalid (must be a non-negative integer)`);
    n *= d;
    if (n > 2 ** 31) throw new ReproError(`${where}: ${dims.join('x')} elements is too large for reprune (limit 2^31)`);
  }
  return n;
}

export interface DecodeContext {
  /** Folder of the model file; external data must live inside it. */
  modelDir?: string;
  /** Where we are, for messages, e.g. "model.onnx: initializer 'conv1.weight'". */
  where: string;
}

/** TensorProto → IR tensor, validating that the payload matches the declared shape exactly. */
export function decodeTensor(t: TensorProto, ctx: DecodeContext): Tensor {
  const where = `${ctx.where}${t.name ? ` tensor '${t.name}'` : ''}`;
  const code = t.dataType ?? 0;
  const dtype = DTYPE_FROM_ONNX[code];
  if (!dtype)
    throw new ReproError(
      `${where}: data type ${code} is not supported (reprune handles float32, float64, int64, int32, int8, uint8, bool)`,
    );
  const dims = (t.dims ?? []).map((d) => longToNumber(d, `${where} dim`));
  const n = checkedNumel(dims, where);
  const bytes = BYTES_PER_ELEMENT[dtype];
  if (t.dataLocation === 1) {
    // Read straight into the tensor: a multi-GB model is never held twice.
    const data = allocData(dtype, n);
    readExternal(t, ctx, where, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return { dtype, dims, data };
  }
  let raw: Uint8Array | undefined;
  if (t.rawData && t.rawData.length > 0) raw = t.rawData;
  if (raw) {
    if (raw.length !== n * bytes)
      throw new ReproError(
        `${where}: holds ${raw.length} bytes, but shape [${dims.join(',')}] of ${dtype} needs ${n * bytes}; the file is corrupt`,
      );
    const data = allocData(dtype, n);
    new Uint8Array(data.buffer).set(raw);
    return { dtype, dims, data };
  }
  return { dtype, dims, data: fromTypedFields(t, dtype, n, where) };
}

function fromTypedFields(t: TensorProto, dtype: Tensor['dtype'], n: number, where: string): TensorData {
  const src: ArrayLike<unknown> =
    dtype === 'float32'
      ? (t.floatData ?? [])
      : dtype === 'float64'
        ? (t.doubleData ?? [])
        : dtype === 'int64'
          ? (t.int64Data ?? [])
          : (t.int32Data ?? []);
  if (src.length !== n)
    throw new ReproError(`${where}: holds ${src.length} values, but its shape needs ${n}; the file is corrupt`);
  const out = allocData(dtype, n);
  if (out instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) {
      const v = src[i] as { low?: number; high?: number } | number;
      out[i] = typeof v === 'number' ? BigInt(v) : (BigInt(v.high ?? 0) << 32n) | BigInt((v.low ?? 0) >>> 0);
    }
  } else {
    for (let i = 0; i < n; i++) (out as Float32Array)[i] = Number(src[i]);
  }
  return out;
}

/** Real paths of the external data files read by this process: a written output may never replace one. */
const externalFiles = new Set<string>();

export function externalDataFilesRead(): string[] {
  return [...externalFiles];
}

/** External data must be a relative path that stays inside the model's own folder; it is read into `dest`. */
function readExternal(t: TensorProto, ctx: DecodeContext, where: string, dest: Uint8Array): void {
  const expectedBytes = dest.length;
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new ReproError(`${where}: external data without a 'location'`);
  if (!ctx.modelDir)
    throw new ReproError(
      `${where}: external data '${location}' cannot be read from an in-memory model; load it from its file`,
    );
  const real = resolveExternal(ctx.modelDir, location, where);
  const st = fs.statSync(real);
  if (!st.isFile()) throw new ReproError(`${where}: external data '${location}' is not a regular file`);
  const { offset, length } = externalRange(entries, st.size, where, location);
  // Checked before allocating, so a small tensor never pulls in a huge file.
  if (length !== expectedBytes)
    throw new ReproError(
      `${where}: holds ${length} bytes in '${location}', but its shape needs ${expectedBytes}; the file is corrupt`,
    );
  externalFiles.add(real);
  readRange(real, offset, dest, where, location);
}

/** The real path of `location`, refused when it is absolute, climbs with '..' or (via a symlink) leaves `modelDir`. */
function resolveExternal(modelDir: string, location: string, where: string): string {
  if (path.isAbsolute(location) || location.split(/[\\/]/).includes('..')) {
    throw new ReproError(
      `${where}: external data path '${location}' leaves the model's folder; reprune only reads external data stored beside the model`,
    );
  }
  const dir = fs.realpathSync(modelDir);
  const file = path.resolve(dir, location);
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    throw new ReproError(`${where}: external data file '${location}' not found next to the model (${dir})`);
  }
  if (!real.startsWith(dir + path.sep))
    throw new ReproError(
      `${where}: external data '${location}' resolves outside the model's folder (symlink?); refused`,
    );
  return real;
}

/** The byte range of the entries (default: from the offset to the end of the file), which must lie inside the file. */
function externalRange(
  entries: Map<string, string>,
  size: number,
  where: string,
  location: string,
): { offset: number; length: number } {
  const offset = Number(entries.get('offset') ?? 0);
  const length = entries.has('length') ? Number(entries.get('length')) : size - offset;
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  ) {
    throw new ReproError(
      `${where}: external data range offset=${offset} length=${length} lies outside '${location}' (${size} bytes)`,
    );
  }
  return { offset, length };
}

/** Fills `dest` from `offset`; a short read, a non-regular file or an I/O error becomes a ReproError. */
function readRange(real: string, offset: number, dest: Uint8Array, where: string, location: string): void {
  const { fd } = openRegularFile(real, { what: `${where}: external data '${location}'` });
  try {
    const got = readInto(fd, offset, dest);
    if (got !== dest.length)
      throw new ReproError(`${where}: external data '${location}' ended after ${got} of ${dest.length} bytes`);
  } catch (e) {
    if (e instanceof ReproError) throw e;
    throw new ReproError(
      `${where}: cannot read external data '${location}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  } finally {
    fs.closeSync(fd);
  }
}
