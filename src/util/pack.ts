/**
 * Compact, exact JSON encodings for plans: masks as base64 bit sets (1 bit per element) and float64 arrays as
 * base64 of their little-endian bytes (a JSON number would round-trip too, but at 2–3× the size).
 */
import { ReproError } from './errors.js';

/** 0/1 bytes → base64 of a bit set (bit i of byte i>>3 is element i). */
export function packBits(mask: Uint8Array): string {
  const bits = new Uint8Array((mask.length + 7) >> 3);
  for (let i = 0; i < mask.length; i++) if (mask[i]) bits[i >> 3]! |= 1 << (i & 7);
  return Buffer.from(bits.buffer, bits.byteOffset, bits.byteLength).toString('base64');
}

/** The inverse of `packBits` for a mask of `length` elements; `what` names the plan field in errors. */
export function unpackBits(b64: string, length: number, what: string): Uint8Array {
  const bits = Buffer.from(b64, 'base64');
  if (bits.length !== (length + 7) >> 3)
    throw new ReproError(
      `${what}: mask holds ${bits.length * 8} bits, the model needs ${length}; the plan was made for another model`,
    );
  const mask = new Uint8Array(length);
  for (let i = 0; i < length; i++) mask[i] = (bits[i >> 3]! >> (i & 7)) & 1;
  return mask;
}

/** Float64 values → base64 of their bytes (exact). */
export function packF64(values: ArrayLike<number>): string {
  const a = Float64Array.from(values);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function unpackF64(b64: string, length: number, what: string): Float64Array {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length !== length * 8)
    throw new ReproError(
      `${what}: holds ${bytes.length / 8} numbers, expected ${length}; the plan was made for another model`,
    );
  const out = new Float64Array(length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
