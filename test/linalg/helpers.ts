/** Shared assertions for the linalg tests. */
import assert from 'node:assert/strict';
import { type Mat, maxAbsDiff, eye } from '../../src/linalg/index.js';
import { matmulTN } from '../../src/linalg/index.js';

export function assertClose(a: Mat, b: Mat, tol: number, what: string): void {
  assert.equal(a.rows, b.rows, `${what}: rows`);
  assert.equal(a.cols, b.cols, `${what}: cols`);
  const d = maxAbsDiff(a, b);
  assert.ok(d <= tol, `${what}: max |diff| = ${d} > ${tol}`);
}

/** Columns of q are orthonormal: qᵀq ≈ I. */
export function assertOrthonormalCols(q: Mat, tol: number, what: string): void {
  assertClose(matmulTN(q, q), eye(q.cols), tol, `${what} orthonormality`);
}
