import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  qr,
  lstsq,
  matmul,
  matmulTN,
  randn,
  randLowRank,
  solve,
  transpose,
  eye,
  mat,
  addDiag,
  frobenius,
  sub,
  pinv,
} from '../../src/linalg/index.js';
import { assertClose, assertOrthonormalCols } from './helpers.js';

describe('Householder QR', () => {
  for (const [m, n] of [
    [40, 15],
    [15, 15],
    [10, 25],
    [1, 1],
  ]) {
    test(`${m}x${n}: Q orthonormal, R upper triangular, QR = A`, () => {
      const a = randn(m, n, m * 100 + n);
      const { q, r } = qr(a);
      const k = Math.min(m, n);
      assert.equal(q.cols, k);
      assert.equal(r.rows, k);
      assertOrthonormalCols(q, 1e-13, 'Q');
      for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) assert.equal(r.data[i * n + j], 0);
      assertClose(matmul(q, r), a, 1e-12, 'QR');
    });
  }

  test('column pivoting: A·P = Q·R with non-increasing |R_ii|', async () => {
    const { qrFactor, qrQ, qrR, selectCols } = await import('../../src/linalg/index.js');
    const a = randLowRank(20, 8, 5, 11);
    const f = qrFactor(a, true);
    const r = qrR(f);
    assertClose(matmul(qrQ(f), r), selectCols(a, f.perm), 1e-12, 'QR = AP');
    for (let i = 1; i < 8; i++) assert.ok(Math.abs(r.data[i * 9]) <= Math.abs(r.data[(i - 1) * 9]) * (1 + 1e-12));
    assert.ok(Math.abs(r.data[5 * 9]) < 1e-12 * Math.abs(r.data[0]), 'rank revealed at index 5');
  });

  test('handles a zero column', () => {
    const a = randn(6, 3, 9);
    for (let i = 0; i < 6; i++) a.data[i * 3 + 1] = 0;
    const { q, r } = qr(a);
    assertClose(matmul(q, r), a, 1e-13, 'QR');
  });
});

describe('lstsq', () => {
  test('matches the normal-equation solution for a full-rank tall system', () => {
    const a = randn(60, 8, 1),
      b = randn(60, 3, 2);
    const x = lstsq(a, b);
    const xNormal = solve(matmulTN(a, a), matmulTN(a, b));
    assertClose(x, xNormal, 1e-10, 'X');
    // Residual is orthogonal to range(A).
    const resid = sub(matmul(a, x), b);
    assert.ok(frobenius(matmulTN(a, resid)) < 1e-10);
  });

  test('exact system is solved exactly', () => {
    const a = randn(30, 5, 3),
      x = randn(5, 2, 4);
    assertClose(lstsq(a, matmul(a, x)), x, 1e-11, 'X');
  });

  test('ridge matches (AᵀA + λI)⁻¹AᵀB', () => {
    const a = randn(25, 6, 5),
      b = randn(25, 2, 6);
    const x = lstsq(a, b, { ridge: 0.7 });
    assertClose(x, solve(addDiag(matmulTN(a, a), 0.7), matmulTN(a, b)), 1e-10, 'X');
  });

  test('rank-deficient and wide systems give the minimum-norm solution', () => {
    const a = randLowRank(20, 6, 3, 7),
      b = randn(20, 1, 8);
    assertClose(lstsq(a, b), matmul(pinv(a), b), 1e-9, 'rank-deficient');
    const w = randn(4, 9, 9),
      bw = randn(4, 2, 10);
    const xw = lstsq(w, bw);
    assertClose(matmul(w, xw), bw, 1e-10, 'wide: exact fit');
    // Minimum norm ⇔ x lies in the row space of W: x = Wᵀ(WWᵀ)⁻¹b.
    assertClose(xw, matmul(transpose(w), solve(matmul(w, transpose(w)), bw)), 1e-10, 'wide: min-norm');
    assert.ok(mat(1, 1) && eye(1));
  });
});
