import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  cholesky,
  choleskySolve,
  spdInverse,
  gramRidge,
  spdLogDet,
  gram,
  matmul,
  matmulNT,
  eye,
  randn,
  fromRows,
  trace,
  mat,
} from '../../src/linalg/index.js';
import { assertClose } from './helpers.js';

/** A well-conditioned SPD matrix: BᵀB + I. */
function spd(n: number, seed: number) {
  const g = gram(randn(n + 5, n, seed));
  for (let i = 0; i < n; i++) g.data[i * n + i] += 1;
  return g;
}

describe('cholesky', () => {
  test('reconstructs A = L·Lᵀ with L lower triangular', () => {
    const a = spd(40, 1);
    const l = cholesky(a)!;
    assert.ok(l !== null);
    for (let i = 0; i < 40; i++) for (let j = i + 1; j < 40; j++) assert.equal(l.data[i * 40 + j], 0);
    assertClose(matmulNT(l, l), a, 1e-10, 'LLᵀ');
  });

  test('returns null for indefinite and singular matrices', () => {
    assert.equal(
      cholesky(
        fromRows([
          [1, 2],
          [2, 1],
        ]),
      ),
      null,
    );
    assert.equal(
      cholesky(
        fromRows([
          [1, 1],
          [1, 1],
        ]),
      ),
      null,
    );
    assert.throws(
      () =>
        spdInverse(
          fromRows([
            [0, 0],
            [0, 0],
          ]),
        ),
      /positive definite/,
    );
  });

  test('choleskySolve solves A·X = B', () => {
    const a = spd(30, 2);
    const x = randn(30, 4, 3);
    const b = matmul(a, x);
    assertClose(choleskySolve(cholesky(a)!, b), x, 1e-9, 'solution');
  });

  test('spdInverse·A ≈ I and is symmetric', () => {
    const a = spd(65, 4);
    const h = spdInverse(a);
    assertClose(matmul(h, a), eye(65), 1e-10, 'H·A');
    for (let i = 0; i < 65; i++) for (let j = 0; j < i; j++) assert.equal(h.data[i * 65 + j], h.data[j * 65 + i]);
  });

  test('spdLogDet matches the product of a diagonal', () => {
    assert.ok(
      Math.abs(
        spdLogDet(
          fromRows([
            [2, 0],
            [0, 8],
          ]),
        )! - Math.log(16),
      ) < 1e-14,
    );
  });

  test('gramRidge adds lambdaRel·tr(G)/n and makes a singular Gram invertible', () => {
    const b = randn(10, 3, 5);
    const bb = mat(10, 4); // a duplicated column: Gram is singular
    for (let i = 0; i < 10; i++) {
      bb.data.set(b.data.subarray(i * 3, i * 3 + 3), i * 4);
      bb.data[i * 4 + 3] = b.data[i * 3];
    }
    const g = gram(bb);
    const r = gramRidge(g, 1e-6);
    const lambda = (1e-6 * trace(g)) / 4;
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(r.data[i * 5] - g.data[i * 5] - lambda) < 1e-15 * trace(g));
    assert.ok(cholesky(r) !== null);
    assert.ok(cholesky(gramRidge(mat(3, 3), 1e-6)) !== null, 'zero Gram still gets a ridge');
  });
});
