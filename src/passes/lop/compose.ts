/**
 * The products of LOP: composing two linear layers into one (merge) and the middle weights M = E3ᵀ·W·E1ᵀ
 * (expand). Big ones run in ONNX Runtime's MLAS kernels (float32), small ones in the blocked JS GEMM (float64
 * accumulation, bounded work space of about 32 MB per block). Merging was plain triple loops: on ResNet-18
 * expanded ×2 it took 207 s of a 209 s run.
 */
import { gemmNT } from '../../linalg/gemm.js';
import { ortMatmul, ortMatmulBatched, ortWorthIt } from '../../runtime/matmul.js';

const BLOCK_DOUBLES = 2 ** 22;

export interface ProductOptions {
  /** 'auto' (default): ORT from ORT_MATMUL_MIN_MACS multiply-adds on, JS below. Tests force one or the other. */
  backend?: 'auto' | 'js' | 'ort';
  /** JS work-space bound in doubles (tests make it tiny to exercise the blocking). */
  blockDoubles?: number;
  /** Work-space bound in floats of block-structured factor products (tests make it tiny to exercise the chunks). */
  chunkFloats?: number;
}

const useOrt = (o: ProductOptions, m: number, k: number, n: number) =>
  o.backend === 'ort' || (o.backend !== 'js' && ortWorthIt(m, k, n));

/** B·A for row-major float32 B [m, p] and A [p, k]; the result [m, k]. */
export async function matmulF32(
  b: Float32Array,
  a: Float32Array,
  m: number,
  p: number,
  k: number,
  o: ProductOptions = {},
): Promise<Float32Array> {
  if (useOrt(o, m, p, k)) return ortMatmul(b, a, m, p, k);
  return matmulJs(b, a, m, p, k, o.blockDoubles ?? BLOCK_DOUBLES);
}

/**
 * W[o, i, t] = Σ_q B[o, q, t]·A[q, i]: a 1×1 layer A [q, i] followed by a conv B [o, q, taps] (also M = A·E1ᵀ per
 * tap in expand). In ORT: W[o] = Aᵀ·B[o], one broadcast MatMul; in JS: one GEMM over gathered rows (o, t).
 */
export async function composeAfter1x1(
  b: Float32Array,
  a: Float32Array,
  cout: number,
  q: number,
  cin: number,
  taps: number,
  o: ProductOptions = {},
): Promise<Float32Array> {
  if (!useOrt(o, cout * taps, q, cin))
    return composeAfter1x1Js(b, a, cout, q, cin, taps, o.blockDoubles ?? BLOCK_DOUBLES);
  if (taps === 1) return ortMatmul(b, a, cout, q, cin);
  // W[o] = Aᵀ·B[o] for B[o] [q, taps]: ORT's broadcast MatMul writes [o, i, t] as it is, no axis swaps.
  return ortMatmulBatched(transposeF32(a, q, cin), b, cin, q, taps, cout);
}

/** Side of the square tiles of transposeF32: 64×64 floats read and written stay in L1/L2. */
const TRANSPOSE_TILE = 64;

/**
 * A row-major [rows, cols] matrix (float32 or float64) transposed into float32, tile by tile: the plain double
 * loop writes one element per cache line and took 24.6 s of a 42.8 s merge of an expanded ViT-B-sized stack.
 */
export function transposeF32(x: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let i0 = 0; i0 < rows; i0 += TRANSPOSE_TILE) {
    const i1 = Math.min(rows, i0 + TRANSPOSE_TILE);
    for (let j0 = 0; j0 < cols; j0 += TRANSPOSE_TILE) {
      const j1 = Math.min(cols, j0 + TRANSPOSE_TILE);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) t[j * rows + i] = x[i * cols + j]!;
    }
  }
  return t;
}

/** The JS kernel's B·A: A is transposed into float64 k-blocks, so a 25088-wide weight never needs one 800 MB copy. */
function matmulJs(b: Float32Array, a: Float32Array, m: number, p: number, k: number, blockDoubles: number) {
  const b64 = Float64Array.from(b.subarray(0, m * p));
  const w = new Float32Array(m * k);
  const kb = Math.max(1, Math.floor(blockDoubles / Math.max(1, p + m)));
  for (let k0 = 0; k0 < k; k0 += kb) {
    const k1 = Math.min(k, k0 + kb);
    const at = new Float64Array((k1 - k0) * p); // Aᵀ rows k0..k1
    for (let q = 0; q < p; q++) for (let j = k0; j < k1; j++) at[(j - k0) * p + q] = a[q * k + j]!;
    const c = new Float64Array(m * (k1 - k0));
    gemmNT(b64, at, c, m, k1 - k0, p);
    for (let r = 0; r < m; r++) for (let j = k0; j < k1; j++) w[r * k + j] = c[r * (k1 - k0) + j - k0]!;
  }
  return w;
}

/** composeAfter1x1 in the JS kernel, per block of output channels: rows (o, t) gathered, one GEMM, scattered. */
function composeAfter1x1Js(
  b: Float32Array,
  a: Float32Array,
  cout: number,
  q: number,
  cin: number,
  taps: number,
  blockDoubles: number,
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
