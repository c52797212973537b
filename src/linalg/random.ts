/** Random matrices for tests, initializations and randomized algorithms (seeded, reproducible). */
import { SeededRng } from '../util/random.js';
import { type Mat, mat } from './matrix.js';
import { matmul } from './matmul.js';
import { qr } from './qr.js';

export { SeededRng, rng } from '../util/random.js';

/** rows×cols matrix of N(0, std²) entries. Pass an rng or a seed. */
export function randn(rows: number, cols: number, rngOrSeed: SeededRng | number = 0, std = 1): Mat {
  const r = typeof rngOrSeed === 'number' ? new SeededRng(rngOrSeed) : rngOrSeed;
  const m = mat(rows, cols);
  r.fillNormal(m.data, 0, std);
  return m;
}

/** rows×cols matrix of U[lo, hi) entries. */
export function randu(rows: number, cols: number, rngOrSeed: SeededRng | number = 0, lo = 0, hi = 1): Mat {
  const r = typeof rngOrSeed === 'number' ? new SeededRng(rngOrSeed) : rngOrSeed;
  const m = mat(rows, cols);
  r.fillUniform(m.data, lo, hi);
  return m;
}

/** rows×cols (rows ≥ cols) matrix with orthonormal columns, from QR of a Gaussian matrix. */
export function randOrthonormal(rows: number, cols: number, rngOrSeed: SeededRng | number = 0): Mat {
  if (rows < cols) throw new Error(`randOrthonormal: need rows >= cols, got ${rows}x${cols}`);
  return qr(randn(rows, cols, rngOrSeed)).q;
}

/** rows×cols matrix of exact rank `rank` (product of two Gaussian factors). */
export function randLowRank(rows: number, cols: number, rank: number, rngOrSeed: SeededRng | number = 0): Mat {
  const r = typeof rngOrSeed === 'number' ? new SeededRng(rngOrSeed) : rngOrSeed;
  return matmul(randn(rows, rank, r), randn(rank, cols, r));
}
