import { cholesky, gram, lowerInverse, mat, matmulNT, qr, type Mat } from '../../linalg/index.js';
import { ortMatmul, ortWorthIt } from '../../runtime/matmul.js';
import type { SeededRng } from '../../util/random.js';
import { composeAfter1x1, matmulF32, type ProductOptions, transposeF32 } from './compose.js';

/**
 * Factors for an exact linear over-parameterization W = E3 · M · E1 (METHODS.md §3, initialization ours):
 * E1 [r·in, in] and E3 [out, r·out] are random semi-orthogonal (orthonormalized Gaussians, block-structured
 * beyond 256 channels: E1ᵀE1 = I, E3E3ᵀ = I, full rank), and M = E3ᵀ · W · E1ᵀ, so E3·M·E1 = W exactly and no block of M is stuck at zero.
 * Semi-orthogonal factors are their own pseudo-inverses (E1⁺ = (E1ᵀE1)⁻¹E1ᵀ = E1ᵀ, E3⁺ = E3ᵀ), so no inverse is
 * ever formed: that alone was a third of LOP's time on a 2048-wide layer.
 * Why semi-orthogonal: an SGD step on M then moves W = E3·M·E1 by exactly the vanilla step (E3E3ᵀ·∇W·E1ᵀE1 = ∇W);
 * only the E1/E3 paths add the over-parameterization terms (WWᵀ∇W + ∇W·WᵀW). Plain Gaussians with
 * E1ᵀE1 ≈ r·I made the M path r× faster, and LOP + SP-KD diverged at the vanilla learning rate.
 */
export interface ExpansionFactors {
  /** E1 [r·in, in]. */
  first: Factor;
  /** E3ᵀ [r·out, out] (E3 is its transpose). */
  lastT: Factor;
}

/** One block of a drawn factor: `q` sits at rows row0..row0+q.rows and columns `cols` of the whole matrix. */
export interface FactorBlock {
  row0: number;
  cols: Int32Array;
  q: Mat;
}

/**
 * An m×n semi-orthogonal matrix kept as it was drawn: one dense block, or diagonal blocks with permuted columns.
 * Products go block by block, so a factor of b blocks costs 1/b of a dense one (ResNet-50's 2048-wide layers:
 * 8 blocks), and the dense matrix exists only as the float32 initializer written to the model. Rows stay in block
 * order: a factor's rows are the expanded layer's inner channels, whose order changes nothing (no per-channel op
 * sits inside an expansion, and SGD is equivariant to it), while contiguous blocks keep every product's output in
 * place.
 */
export interface Factor {
  m: number;
  n: number;
  blocks: FactorBlock[];
}

export async function expansionFactors(
  inDim: number,
  outDim: number,
  rate: number,
  rng: SeededRng,
): Promise<ExpansionFactors> {
  const first = await semiOrthogonalFactor(Math.ceil(rate * inDim), inDim, rng);
  const lastT = await semiOrthogonalFactor(Math.ceil(rate * outDim), outDim, rng);
  return { first, lastT };
}

/** Widest factor drawn as one dense Gaussian QR; wider ones are built from blocks of about this many columns. */
export const DENSE_FACTOR_MAX = 256;

/**
 * The same bound for factors less than twice as tall as wide (rate < 2; square at the default rate 1). Their QR is
 * CholeskyQR2 in float64 JS, not one float32 pass in ORT, and its cost per column grows with the block's width
 * squared: at 256 columns it was 10 of the 13.9 s of ResNet-50's expand at rate 1. Which channels a block mixes
 * does not change the fine-tuning to first order (the step on W is the same for any semi-orthogonal factors).
 */
export const SQUARE_FACTOR_MAX = 64;

/** Columns per block of an m×n factor. */
export const factorBlockWidth = (m: number, n: number) => (m >= 2 * n ? DENSE_FACTOR_MAX : SQUARE_FACTOR_MAX);

/**
 * An m×n factor (m ≥ n) with orthonormal columns. Up to factorBlockWidth columns: an orthonormalized Gaussian.
 * Wider: a block diagonal of such Gaussians (about factorBlockWidth columns each) with columns randomly
 * permuted — still semi-orthogonal, every channel mixed with dozens or hundreds of others, at 1/(blocks) of the QR
 * cost. A dense 4096×2048 factor cost ~50 GFLOP, most of LOP expand's time on ResNet-50's 2048-wide layers.
 */
export async function semiOrthogonalFactor(m: number, n: number, rng: SeededRng): Promise<Factor> {
  const blocks = Math.ceil(n / factorBlockWidth(m, n));
  const cuts = (total: number) => Array.from({ length: blocks + 1 }, (_, b) => Math.round((b * total) / blocks));
  const [rowCuts, colCuts] = [cuts(m), cuts(n)];
  const tallEnough = rowCuts.every((r, b) => b === 0 || r - rowCuts[b - 1]! >= colCuts[b]! - colCuts[b - 1]!);
  if (blocks === 1 || !tallEnough) {
    const q = orthonormalColumns(gaussian(m, n, 1, rng));
    return { m, n, blocks: [{ row0: 0, cols: identity(n), q }] };
  }
  const colOf = permutation(n, rng);
  const out: FactorBlock[] = [];
  for (let b = 0; b < blocks; b++) {
    const [r0, r1, c0, c1] = [rowCuts[b]!, rowCuts[b + 1]!, colCuts[b]!, colCuts[b + 1]!];
    const q = await orthonormalBlock(gaussian(r1 - r0, c1 - c0, 1, rng));
    out.push({ row0: r0, cols: colOf.subarray(c0, c1), q });
  }
  return { m, n, blocks: out };
}

/** The whole factor as a dense float64 matrix (tests; the pass writes `factorF32`). */
export async function semiOrthogonal(m: number, n: number, rng: SeededRng): Promise<Mat> {
  return denseFactor(await semiOrthogonalFactor(m, n, rng));
}

export function denseFactor(f: Factor): Mat {
  const out = mat(f.m, f.n);
  writeFactor(f, out.data, f.n, 1);
  return out;
}

/** The factor as float32, row-major [m, n], or its transpose [n, m] when `transposed`. */
export function factorF32(f: Factor, transposed = false): Float32Array {
  const out = new Float32Array(f.m * f.n);
  if (transposed) writeFactor(f, out, 1, f.m);
  else writeFactor(f, out, f.n, 1);
  return out;
}

/** Every block's entries into a zeroed dense `out`: entry (i, j) lands at i·rowStride + j·colStride. */
function writeFactor(f: Factor, out: Float32Array | Float64Array, rowStride: number, colStride: number): void {
  for (const { row0, cols, q } of f.blocks)
    for (let i = 0; i < q.rows; i++) {
      const base = (row0 + i) * rowStride;
      for (let j = 0; j < q.cols; j++) out[base + cols[j]! * colStride] = q.data[i * q.cols + j]!;
    }
}

function identity(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
function permutation(n: number, rng: SeededRng): Int32Array {
  const p = identity(n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/**
 * The Q of a thin QR of a tall Gaussian g (m ≥ n), up to column signs. Cholesky QR (Q = G·L⁻ᵀ with GᵀG = L·Lᵀ)
 * runs in the blocked GEMM kernel, many times faster than Householder's memory-bound reflector sweeps on an
 * 8192×2048 factor; it is repeated once (CholeskyQR2), which makes Q orthonormal to rounding for any condition
 * number a random Gaussian has (once suffices for tall ones). Householder stays the fallback if a Gram matrix is not numerically SPD.
 */
export function orthonormalColumns(g: Mat): Mat {
  let q = g;
  // A Gaussian at least twice as tall as wide has condition number below ~6, where one pass is orthonormal to
  // ~1e-14 already; squarer ones (rate < 2) get the second pass.
  const passes = g.rows >= 2 * g.cols ? 1 : 2;
  for (let pass = 0; pass < passes; pass++) {
    const next = choleskyQrStep(q);
    if (!next) return qr(g).q;
    q = next;
  }
  return q;
}

/**
 * A block of a wide factor: one Cholesky QR step with both products in ORT (float32) when the block is tall enough
 * for one step. Q comes out orthonormal to ~3e-7 (1024×256 blocks) instead of ~1e-15 — the size of the float32
 * rounding M's own products get in ORT — and ResNet-50's ~200 block QRs take a third of the time. Squarer blocks
 * and a failed Cholesky take the float64 route.
 */
async function orthonormalBlock(g: Mat): Promise<Mat> {
  if (g.rows < 2 * g.cols || !ortWorthIt(g.rows, g.cols, g.cols)) return orthonormalColumns(g);
  const g32 = Float32Array.from(g.data);
  const gram = await ortMatmul(transposedF32(g), g32, g.cols, g.rows, g.cols);
  const l = cholesky(mat(g.cols, g.cols, Float64Array.from(gram)));
  if (!l) return orthonormalColumns(g);
  const q = await ortMatmul(g32, transposedF32(lowerInverse(l)), g.rows, g.cols, g.cols);
  return mat(g.rows, g.cols, Float64Array.from(q));
}

function choleskyQrStep(g: Mat): Mat | null {
  const l = cholesky(gram(g));
  if (!l) return null;
  return matmulNT(g, lowerInverse(l)); // G·(L⁻¹)ᵀ
}

/**
 * M = E3ᵀ · W · E1ᵀ for every kernel tap at once. `w` is the weight as stored, [out, in, taps] (taps = 1 for a
 * matrix); the result is [r·out, r·in, taps] in the same layout. A = E3ᵀ·W is one product over all taps (per
 * block of E3ᵀ's rows), then M[o, :, t] = E1·A[o, :, t] over rows (o, t) (per block of E1); in ORT when big.
 */
export async function middleWeights(
  f: ExpansionFactors,
  w: Float32Array,
  taps: number,
  o: ProductOptions = {},
): Promise<Float32Array> {
  const a = await leftProduct(f.lastT, w, f.first.n * taps, o); // [r·out, in, taps]
  return tapProduct(f.first, a, f.lastT.m, taps, o);
}

/** F·X for X [F.n, k]: [F.m, k]. A block reads the rows of X its columns name and writes its own rows. */
async function leftProduct(f: Factor, x: Float32Array, k: number, o: ProductOptions): Promise<Float32Array> {
  if (f.blocks.length === 1) return matmulF32(Float32Array.from(f.blocks[0]!.q.data), x, f.m, f.n, k, o);
  const out = new Float32Array(f.m * k);
  for (const { row0, cols, q } of f.blocks) {
    const xs = new Float32Array(cols.length * k);
    for (let i = 0; i < cols.length; i++) xs.set(x.subarray(cols[i]! * k, (cols[i]! + 1) * k), i * k);
    out.set(await matmulF32(Float32Array.from(q.data), xs, q.rows, cols.length, k, o), row0 * k);
  }
  return out;
}

/** Rows of X a block-structured tapProduct handles at once: its work space stays near 64 MB at any size. */
const CHUNK_FLOATS = 1 << 24;

/**
 * Y[o, :, t] = F·X[o, :, t] for X [rows, F.n, taps]: [rows, F.m, taps]. Block-structured F, per chunk of rows and
 * per block: the block's columns of X gathered in runs of `taps` floats, one product (ORT's broadcast MatMul, which
 * keeps the [row, channel, tap] layout), and its rows copied to the block's own output channels. The version that
 * regrouped X by (row, tap) and back spent 2 s of ResNet-50's expand in those two transposes.
 */
async function tapProduct(f: Factor, x: Float32Array, rows: number, taps: number, o: ProductOptions) {
  if (f.blocks.length === 1) return composeAfter1x1(x, transposedF32(f.blocks[0]!.q), rows, f.n, f.m, taps, o);
  const qts = f.blocks.map((b) => transposedF32(b.q));
  const out = new Float32Array(rows * f.m * taps);
  const chunk = Math.max(1, Math.floor((o.chunkFloats ?? CHUNK_FLOATS) / (taps * (f.n + f.m))));
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const r1 = Math.min(rows, r0 + chunk);
    for (let b = 0; b < f.blocks.length; b++) {
      const { row0, cols, q } = f.blocks[b]!;
      const xb = gatherTapColumns(x, r0, r1, f.n, taps, cols); // [r1 − r0, cols, taps]
      const yb = await composeAfter1x1(xb, qts[b]!, r1 - r0, cols.length, q.rows, taps, o); // [r1 − r0, q.rows, taps]
      const run = q.rows * taps;
      for (let r = r0; r < r1; r++) out.set(yb.subarray((r - r0) * run, (r - r0 + 1) * run), (r * f.m + row0) * taps);
    }
  }
  return out;
}

/** xb[r − r0, c, t] = x[r, cols[c], t] for rows r0..r1 of x [rows, width, taps]. */
function gatherTapColumns(x: Float32Array, r0: number, r1: number, width: number, taps: number, cols: Int32Array) {
  const xb = new Float32Array((r1 - r0) * cols.length * taps);
  for (let r = r0; r < r1; r++) {
    const [src, dst] = [r * width * taps, (r - r0) * cols.length * taps];
    for (let c = 0; c < cols.length; c++) {
      const [s, d] = [src + cols[c]! * taps, dst + c * taps];
      for (let t = 0; t < taps; t++) xb[d + t] = x[s + t]!;
    }
  }
  return xb;
}

/** qᵀ as float32. */
const transposedF32 = (q: Mat) => transposeF32(q.data, q.rows, q.cols);

function gaussian(rows: number, cols: number, std: number, rng: SeededRng): Mat {
  const m = mat(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal() * std;
  return m;
}
