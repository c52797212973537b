/**
 * The products that merge two linear layers into one, in the blocked GEMM kernel with float64 accumulation.
 * They were plain triple loops accumulating in float32: on ResNet-18 expanded ×2, merging took 207 s of a 209 s
 * run. Work space is bounded (about 32 MB of float64 per block) whatever the layer's size.
 */
import { gemmNT } from '../../linalg/gemm.js';

const BLOCK_DOUBLES = 2 ** 22;

/**
 * B·A for B [m, p] and A [p, k], both row-major float32; the result [m, k] in float32. A is transposed into
 * float64 k-blocks (the kernel wants the right factor as rows), so a 25088-wide Gemm weight never needs one
 * 800 MB copy.
 */
export function matmulF32(
  b: Float32Array,
  a: Float32Array,
  m: number,
  p: number,
  k: number,
  blockDoubles = BLOCK_DOUBLES,
): Float32Array {
  const b64 = Float64Array.from(b.subarray(0, m * p));
  const w = new Float32Array(m * k);
  const kb = Math.max(1, Math.floor(blockDoubles / Math.max(1, p + m)));
  for (let k0 = 0; k0 < k; k0 += kb) {
    const k1 = Math.min(k, k0 + kb);
    const at = new Float64Array((k1 - k0) * p); // Aᵀ rows k0..k1
    for (let q = 0; q < p; q++) for (let j = k0; j < k1; j++) at[(j - k0) * p + q] = a[q * k + j]!;
    const c = new Float64Array(m * (k1 - k0));
    gemmNT(b64, at, c, m, k1 - k0, p);
    for (let o = 0; o < m; o++) for (let j = k0; j < k1; j++) w[o * k + j] = c[o * (k1 - k0) + j - k0]!;
  }
  return w;
}

/**
 * W[o, i, t] = Σ_q B[o, q, t]·A[q, i]: a 1×1 conv A [q, i] followed by a conv B [o, q, taps]. Rows (o, t) of B
 * are gathered per block of output channels, multiplied by Aᵀ in one GEMM and scattered back to [o, i, taps].
 */
export function composeAfter1x1(
  b: Float32Array,
  a: Float32Array,
  cout: number,
  q: number,
  cin: number,
  taps: number,
  blockDoubles = BLOCK_DOUBLES,
): Float32Array {
  const at = new Float64Array(cin * q); // Aᵀ [i, q]
  for (let p = 0; p < q; p++) for (let i = 0; i < cin; i++) at[i * q + p] = a[p * cin + i]!;
  const w = new Float32Array(cout * cin * taps);
  const perBlock = Math.max(1, Math.floor(blockDoubles / Math.max(1, (q + cin) * taps)));
  for (let o0 = 0; o0 < cout; o0 += perBlock) {
    const o1 = Math.min(cout, o0 + perBlock);
    const rows = (o1 - o0) * taps;
    const bp = new Float64Array(rows * q); // [(o, t), q]
    for (let o = o0; o < o1; o++)
      for (let p = 0; p < q; p++)
        for (let t = 0; t < taps; t++) bp[((o - o0) * taps + t) * q + p] = b[(o * q + p) * taps + t]!;
    const c = new Float64Array(rows * cin);
    gemmNT(bp, at, c, rows, cin, q);
    for (let o = o0; o < o1; o++)
      for (let t = 0; t < taps; t++) {
        const src = ((o - o0) * taps + t) * cin;
        for (let i = 0; i < cin; i++) w[(o * cin + i) * taps + t] = c[src + i]!;
      }
  }
  return w;
}
