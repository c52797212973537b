/**
 * TT/TR cores in JS: TT-SVD (and TR-SVD) initialization from a dense weight, variance-matched random
 * initialization, and dense reconstruction (Float64, for export, inspection and tests).
 */
import { svd, type Mat } from '../../linalg/index.js';
import { SeededRng } from '../../util/random.js';
import { coreDims, prod, ttCols, ttRows, type TtSpec } from './spec.js';

/** Row-major transpose of an n-d array: out[idx permuted] = x[idx], out dims = dims[perm[k]]. */
export function permute(x: ArrayLike<number>, dims: readonly number[], perm: readonly number[]): Float64Array {
  const nd = dims.length;
  const outDims = perm.map((p) => dims[p]!);
  const inStrides = new Array<number>(nd);
  let s = 1;
  for (let k = nd - 1; k >= 0; k--) {
    inStrides[k] = s;
    s *= dims[k]!;
  }
  const strideOfOut = perm.map((p) => inStrides[p]!);
  const out = new Float64Array(s);
  const idx = new Array<number>(nd).fill(0);
  for (let o = 0; o < s; o++) {
    let src = 0;
    for (let k = 0; k < nd; k++) src += idx[k]! * strideOfOut[k]!;
    out[o] = x[src]!;
    for (let k = nd - 1; k >= 0; k--) {
      if (++idx[k]! < outDims[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** Leading `r` columns of the SVD as (U_r, diag(s_r)·V_rᵀ), zero-padded if the matrix has rank < r. */
function truncatedFactors(c: Mat, r: number): { u: Float64Array; rest: Float64Array } {
  const f = svd(c);
  const k = f.s.length;
  const u = new Float64Array(c.rows * r);
  const rest = new Float64Array(r * c.cols);
  for (let a = 0; a < Math.min(r, k); a++) {
    for (let i = 0; i < c.rows; i++) u[i * r + a] = f.u.data[i * k + a]!;
    const sa = f.s[a]!;
    for (let j = 0; j < c.cols; j++) rest[a * c.cols + j] = sa * f.v.data[j * k + a]!;
  }
  return { u, rest };
}

/**
 * TT-SVD (Oseledets 2011) of a row-major M×N weight, truncated to `spec.ranks`; for a ring (r_0 > 1) the TR-SVD
 * variant (Zhao et al. 2016): the first SVD rank is split into r_0·r_1 and r_0 is carried to the last core.
 * Exact when the ranks are the maximal ones.
 */
export function ttSvd(w: ArrayLike<number>, spec: TtSpec): Float32Array[] {
  const d = spec.m.length;
  const M = ttRows(spec),
    N = ttCols(spec);
  if (w.length !== M * N) throw new Error(`ttSvd: weight has ${w.length} entries, spec needs ${M}×${N}`);
  // Interleave row and column digits: T[i_1, j_1, i_2, j_2, ...].
  const perm: number[] = [];
  for (let k = 0; k < d; k++) perm.push(k, d + k);
  let c = permute(w, [...spec.m, ...spec.n], perm);
  const mn = spec.m.map((m, k) => m * spec.n[k]!);
  const r0 = spec.ranks[0]!;
  const cores: Float32Array[] = [];
  // Step 1: rank r_0·r_1, column index of U = a_0·r_1 + a_1.
  const r1 = spec.ranks[1]!;
  let cols = c.length / mn[0]!;
  let f = truncatedFactors({ rows: mn[0]!, cols, data: c }, r0 * r1);
  cores.push(Float32Array.from(permute(f.u, [mn[0]!, r0, r1], [1, 0, 2])));
  c = r0 > 1 ? permute(f.rest, [r0, r1, cols], [1, 2, 0]) : f.rest; // → [r_1, rest, r_0]
  for (let k = 1; k < d - 1; k++) {
    const rows = spec.ranks[k]! * mn[k]!;
    cols = c.length / rows;
    f = truncatedFactors({ rows, cols, data: c }, spec.ranks[k + 1]!);
    cores.push(Float32Array.from(f.u));
    c = f.rest;
  }
  cores.push(Float32Array.from(c)); // [r_{d−1}, m_d·n_d, r_0]
  return cores;
}

/** Number of rank paths summed into one reconstructed weight: r_0·r_1···r_{d−1}. */
export function pathCount(spec: TtSpec): number {
  return prod(spec.ranks.slice(0, -1));
}

/**
 * i.i.d. N(0, σ²) cores with σ chosen so the reconstructed weight has variance `targetVar`:
 * each weight is a sum of P = r_0···r_{d−1} products of d independent zero-mean entries, so Var = P·σ^{2d}.
 */
export function randomCores(spec: TtSpec, targetVar: number, seed = 0): Float32Array[] {
  const d = spec.m.length;
  const sigma = (targetVar / pathCount(spec)) ** (1 / (2 * d));
  const rng = new SeededRng(seed);
  return spec.m.map((_, k) => rng.fillNormal(new Float32Array(prod(coreDims(spec, k))), 0, sigma));
}

/** Dense M×N weight (row-major, Float64) from the cores: sequential contraction, then the trace over r_0 = r_d. */
export function reconstructDense(spec: TtSpec, cores: ArrayLike<number>[]): Float64Array {
  const d = spec.m.length;
  const r0 = spec.ranks[0]!;
  // a holds A[r_0, I, J, r_k] (I = m_1···m_k, J = n_1···n_k).
  let a = Float64Array.from(cores[0]!);
  let I = spec.m[0]!,
    J = spec.n[0]!;
  for (let k = 1; k < d; k++) {
    const [rk, m, n, rn] = coreDims(spec, k);
    const g = cores[k]!;
    const next = new Float64Array(r0 * I * m * J * n * rn);
    for (let a0 = 0; a0 < r0; a0++)
      for (let i = 0; i < I; i++)
        for (let j = 0; j < J; j++) {
          const src = ((a0 * I + i) * J + j) * rk;
          for (let p = 0; p < m; p++)
            for (let q = 0; q < n; q++) {
              const dst = ((((a0 * I + i) * m + p) * J + j) * n + q) * rn;
              for (let b = 0; b < rk; b++) {
                const av = a[src + b]!;
                if (av === 0) continue;
                const go = ((b * m + p) * n + q) * rn;
                for (let c = 0; c < rn; c++) next[dst + c]! += av * g[go + c]!;
              }
            }
        }
    a = next;
    I *= m;
    J *= n;
  }
  const w = new Float64Array(I * J);
  for (let a0 = 0; a0 < r0; a0++) for (let e = 0; e < I * J; e++) w[e]! += a[(a0 * I * J + e) * r0 + a0]!;
  return w;
}
