/**
 * NumPy `.npy` files: "\x93NUMPY", major/minor version, header length (uint16 LE for v1,
 * uint32 LE for v2/v3), a Python-literal dict {'descr', 'fortran_order', 'shape'}, then
 * the raw C-order payload. Format spec: numpy.lib.format (NEP 1).
 */
import { ReproError } from '../util/errors.js';
import { boundedProduct, readMaybeGzip, writeMaybeGzip } from './file-bytes.js';

export type NpyDtype = 'f4' | 'f8' | 'u1' | 'i1' | 'i4' | 'i8';
export type NpyData = Float32Array | Float64Array | Uint8Array | Int8Array | Int32Array | BigInt64Array;

export interface NpyArray {
  shape: number[];
  dtype: NpyDtype;
  data: NpyData;
}

const SIZES: Record<NpyDtype, number> = { f4: 4, f8: 8, u1: 1, i1: 1, i4: 4, i8: 8 };
const SUPPORTED = "'<f4', '<f8', '|u1', '|i1', '<i4', '<i8'";
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Read a `.npy` file (gzip-compressed when the name ends in `.gz`). */
export function readNpy(path: string): NpyArray {
  return parseNpy(readMaybeGzip(path), path);
}

/** Parse `.npy` bytes; `name` is used in error messages. Validates sizes before allocating. */
export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new ReproError(`${name}: wrong magic (not a .npy file; expected it to start with \\x93NUMPY)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLen: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new ReproError(`${name}: truncated .npy header`);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new ReproError(`${name}: unsupported .npy format version ${major}.${bytes[7]} (supported: 1.x, 2.x, 3.x)`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length)
    throw new ReproError(`${name}: truncated .npy header (needs ${dataStart} bytes, file has ${bytes.length})`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const { dtype, shape } = parseHeader(header, name);
  const size = SIZES[dtype];
  const payloadBytes = bytes.length - dataStart;
  const count = boundedProduct(shape, Math.floor(payloadBytes / size));
  if (count < 0 || count * size > payloadBytes) {
    throw new ReproError(
      `${name}: truncated: shape (${shape.join(', ')}) needs more data than the file holds (${payloadBytes} payload bytes)`,
    );
  }
  if (count * size !== payloadBytes) {
    throw new ReproError(
      `${name}: ${payloadBytes - count * size} unexpected bytes after the data of shape (${shape.join(', ')}); the file is corrupt`,
    );
  }
  // Copy into a fresh, aligned ArrayBuffer: Buffer.slice would alias the shared pool, and the
  // header length need not keep 8-byte alignment.
  const buf = new Uint8Array(bytes.subarray(dataStart, dataStart + count * size)).buffer;
  return { shape, dtype, data: makeArray(dtype, buf) };
}

function parseHeader(header: string, name: string): { dtype: NpyDtype; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new ReproError(
      `${name}: malformed .npy header (need 'descr' as a simple dtype string, 'fortran_order' and 'shape'): ${header.trim().slice(0, 120)}`,
    );
  }
  if (fortran === 'True') {
    throw new ReproError(
      `${name}: fortran_order=True is not supported; save it in C order, e.g. np.save(path, np.ascontiguousarray(a))`,
    );
  }
  const shape: number[] = [];
  for (const part of shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    if (!/^\d+L?$/.test(part)) throw new ReproError(`${name}: bad dimension '${part}' in .npy shape (${shapeText})`);
    shape.push(Number.parseInt(part, 10));
  }
  return { dtype: parseDescr(descr, name), shape };
}

function parseDescr(descr: string, name: string): NpyDtype {
  const m = /^([<>|=])([fuib])(\d+)$/.exec(descr);
  const kind = m ? `${m[2]}${m[3]}` : '';
  if (!m || !(kind in SIZES)) throw new ReproError(`${name}: unsupported dtype '${descr}' (supported: ${SUPPORTED})`);
  if (m[1] === '>' && SIZES[kind as NpyDtype] > 1) {
    throw new ReproError(`${name}: big-endian dtype '${descr}' is not supported; convert with a.astype('<${kind}')`);
  }
  return kind as NpyDtype;
}

function makeArray(dtype: NpyDtype, buf: ArrayBuffer): NpyData {
  // .npy payloads are little-endian; every platform Node 20 ships for is little-endian too.
  switch (dtype) {
    case 'f4':
      return new Float32Array(buf);
    case 'f8':
      return new Float64Array(buf);
    case 'u1':
      return new Uint8Array(buf);
    case 'i1':
      return new Int8Array(buf);
    case 'i4':
      return new Int32Array(buf);
    case 'i8':
      return new BigInt64Array(buf);
  }
}

function descrOf(data: NpyData): string {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Int32Array) return '<i4';
  return '<i8';
}

/** Encode an array as a version-1.0 `.npy` (C order, dtype from the typed array). */
export function encodeNpy(data: NpyData, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new ReproError(`encodeNpy: shape (${shape.join(', ')}) holds ${count} elements but data has ${data.length}`);
  const shapeText = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descrOf(data)}', 'fortran_order': False, 'shape': (${shapeText}), }`;
  // Pad with spaces and a final newline so the data starts on a 64-byte boundary, as numpy does.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - 10 - 1, ' ')}\n`;
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

/** Write a `.npy` file (gzip-compressed when the name ends in `.gz`). */
export function writeNpy(path: string, data: NpyData, shape: readonly number[]): void {
  writeMaybeGzip(path, encodeNpy(data, shape));
}
