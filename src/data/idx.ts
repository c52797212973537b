/**
 * IDX files (the MNIST container format): 2 zero bytes, a type code, the number of dims,
 * then one big-endian uint32 per dim, then the payload in big-endian element order.
 * See http://yann.lecun.com/exdb/mnist/ ("FILE FORMATS FOR THE MNIST DATABASE").
 */
import { ReproError } from '../util/errors.js';
import { boundedProduct, readMaybeGzip, writeMaybeGzip } from './file-bytes.js';

export type IdxType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dims: number[];
  type: IdxType;
  data: IdxData;
}

const TYPE_CODES: Record<number, { type: IdxType; size: number }> = {
  8: { type: 'u8', size: 1 },
  9: { type: 'i8', size: 1 },
  11: { type: 'i16', size: 2 },
  12: { type: 'i32', size: 4 },
  13: { type: 'f32', size: 4 },
  14: { type: 'f64', size: 8 },
};

/** Read an IDX file (plain, or gzip when the name ends in `.gz`). */
export function readIdx(path: string): IdxArray {
  return parseIdx(readMaybeGzip(path), path);
}

/** Parse IDX bytes; `name` is used in error messages. Validates everything before allocating. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (bytes.length < 4) throw new ReproError(`${name}: not an IDX file (only ${bytes.length} bytes)`);
  const typeCode = bytes[2];
  const ndims = bytes[3];
  const spec = TYPE_CODES[typeCode];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !spec || ndims === 0) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
    throw new ReproError(
      `${name}: wrong magic number 0x${magic} (expected 0x000008NN for an IDX file, e.g. 0x00000803 for images)`,
    );
  }
  const headerLen = 4 + 4 * ndims;
  if (bytes.length < headerLen)
    throw new ReproError(
      `${name}: truncated IDX header (${ndims} dims need ${headerLen} bytes, file has ${bytes.length})`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const payloadBytes = bytes.length - headerLen;
  // Element count is bounded by the file size before anything is allocated.
  const count = boundedProduct(dims, Math.floor(payloadBytes / spec.size));
  if (count < 0) {
    throw new ReproError(
      `${name}: dims [${dims.join(', ')}] need more data than the file holds (${payloadBytes} payload bytes); the file is truncated or corrupt`,
    );
  }
  if (count * spec.size !== payloadBytes) {
    const what = count * spec.size < payloadBytes ? 'has extra bytes after' : 'is truncated: payload shorter than';
    throw new ReproError(
      `${name}: file ${what} dims [${dims.join(', ')}] imply (${count * spec.size} payload bytes expected, ${payloadBytes} found)`,
    );
  }
  return { dims, type: spec.type, data: decodeBigEndian(view, headerLen, count, spec.type, bytes) };
}

function decodeBigEndian(view: DataView, off: number, n: number, type: IdxType, bytes: Uint8Array): IdxData {
  switch (type) {
    case 'u8':
      return bytes.subarray(off, off + n);
    case 'i8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + off, n);
    case 'i16': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(off + 2 * i, false);
      return out;
    }
    case 'i32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(off + 4 * i, false);
      return out;
    }
    case 'f32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(off + 4 * i, false);
      return out;
    }
    case 'f64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(off + 8 * i, false);
      return out;
    }
  }
}

function typeOf(data: IdxData): { code: number; size: number } {
  if (data instanceof Uint8Array) return { code: 0x08, size: 1 };
  if (data instanceof Int8Array) return { code: 0x09, size: 1 };
  if (data instanceof Int16Array) return { code: 0x0b, size: 2 };
  if (data instanceof Int32Array) return { code: 0x0c, size: 4 };
  if (data instanceof Float32Array) return { code: 0x0d, size: 4 };
  return { code: 0x0e, size: 8 };
}

/** Encode an array as IDX bytes (type taken from the typed array). */
export function encodeIdx(data: IdxData, dims: readonly number[]): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new ReproError(`encodeIdx: dims [${dims.join(', ')}] hold ${count} elements but data has ${data.length}`);
  if (dims.length === 0 || dims.length > 255)
    throw new ReproError(`encodeIdx: IDX needs 1..255 dims, got ${dims.length}`);
  const { code, size } = typeOf(data);
  const headerLen = 4 + 4 * dims.length;
  const out = new Uint8Array(headerLen + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  for (let i = 0; i < count; i++) {
    const o = headerLen + i * size;
    if (code === 0x08) out[o] = data[i];
    else if (code === 0x09) view.setInt8(o, data[i]);
    else if (code === 0x0b) view.setInt16(o, data[i], false);
    else if (code === 0x0c) view.setInt32(o, data[i], false);
    else if (code === 0x0d) view.setFloat32(o, data[i], false);
    else view.setFloat64(o, data[i], false);
  }
  return out;
}

/** Write an IDX file (gzip-compressed when the name ends in `.gz`). */
export function writeIdx(path: string, data: IdxData, dims: readonly number[]): void {
  writeMaybeGzip(path, encodeIdx(data, dims));
}
