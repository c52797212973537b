/** The blocked SPD inverse (Schur complements through the gemm kernel) against the Cholesky route it replaces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eye, gram, matmul, maxAbs, maxAbsDiff, randn, spdInverse, spdInverseDirect } from '../../src/linalg/index.js';
import type { Mat } from '../../src/linalg/index.js';

/** BᵀB + ridge·I for B with `rows` rows: rank-deficient before the ridge when rows < n (a Gram of few samples). */
function gramPlusRidge(n: number, rows: number, ridge: number, seed: number): Mat {
  const g = gram(randn(rows, n, seed));
  for (let i = 0; i < n; i++) g.data[i * n + i] += ridge;
  return g;
}

test('blocked spdInverse equals the Cholesky route and is exactly symmetric (sizes across the 256 leaf)', () => {
  for (const [n, rows, ridge] of [
    [257, 300, 1],
    [300, 40, 1e-3],
    [530, 600, 1e-6],
  ] as const) {
    const a = gramPlusRidge(n, rows, ridge, n);
    const h = spdInverse(a);
    const ref = spdInverseDirect(a);
    const rel = maxAbsDiff(h, ref) / maxAbs(ref);
    // The second case has condition number ~1e6: both routes lose ~6 digits; they must agree to that precision.
    assert.ok(rel < 1e-8, `n=${n}: max |H − H_chol| / max |H_chol| = ${rel}`);
    assert.ok(maxAbsDiff(matmul(h, a), eye(n)) < 1e-6, `n=${n}: H·A ≈ I`);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) assert.equal(h.data[i * n + j], h.data[j * n + i]);
  }
});

test('blocked spdInverse reads only the lower triangle, like the Cholesky route', () => {
  const n = 300;
  const a = gramPlusRidge(n, 400, 1, 7);
  const lower = { ...a, data: a.data.slice() };
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) lower.data[i * n + j] = Number.NaN;
  assert.equal(maxAbsDiff(spdInverse(lower), spdInverse(a)), 0);
});

test('blocked spdInverse of a matrix that is not positive definite throws, naming its size', () => {
  const n = 400;
  const a = gramPlusRidge(n, 500, 1, 9);
  a.data[350 * n + 350] = -5; // a negative pivot deep in the second half
  assert.throws(() => spdInverse(a), /400x400 matrix is not symmetric positive definite/);
});
