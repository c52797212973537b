import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  svd,
  truncatedSvd,
  svdReconstruct,
  singularValues,
  pinv,
  rank,
  matmul,
  randn,
  randLowRank,
  randOrthonormal,
  diag,
  transpose,
  mat,
  frobenius,
  sub,
  fromRows,
} from '../../src/linalg/index.js';
import { assertClose, assertOrthonormalCols } from './helpers.js';

function checkSvd(a: ReturnType<typeof mat>, tol: number, what: string) {
  const r = svd(a);
  const k = Math.min(a.rows, a.cols);
  assert.equal(r.u.rows, a.rows);
  assert.equal(r.v.rows, a.cols);
  assert.equal(r.s.length, k);
  for (let i = 1; i < k; i++) assert.ok(r.s[i - 1] >= r.s[i], `${what}: s not sorted at ${i}`);
  for (let i = 0; i < k; i++) assert.ok(r.s[i] >= 0);
  assertOrthonormalCols(r.u, tol, `${what} U`);
  assertOrthonormalCols(r.v, tol, `${what} V`);
  assertClose(svdReconstruct(r), a, tol, `${what} reconstruction`);
  return r;
}

describe('SVD', () => {
  test('random 50x30: orthogonality and reconstruction to 1e-10', () => {
    checkSvd(randn(50, 30, 1), 1e-10, '50x30');
  });
  test('random 30x50 (wide)', () => {
    checkSvd(randn(30, 50, 2), 1e-10, '30x50');
  });
  test('random square 40x40', () => {
    checkSvd(randn(40, 40, 3), 1e-10, '40x40');
  });

  test('diagonal matrix: singular values are |d| sorted', () => {
    const r = checkSvd(diag([3, -7, 0.5, 2]), 1e-12, 'diag');
    assert.deepEqual(
      Array.from(r.s).map((x) => +x.toFixed(12)),
      [7, 3, 2, 0.5],
    );
  });

  test('known singular values: A = Q1·diag(s)·Q2ᵀ', () => {
    const s = [10, 5, 2, 1, 1e-3, 1e-6];
    const q1 = randOrthonormal(30, 6, 4),
      q2 = randOrthonormal(12, 6, 5);
    const a = matmul(matmul(q1, diag(s)), transpose(q2));
    const got = singularValues(a);
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(got[i] - s[i]) <= 1e-13 * s[0], `s[${i}] = ${got[i]} vs ${s[i]}`);
  });

  test('rank-deficient: trailing singular values vanish, U still orthonormal', () => {
    const a = randLowRank(25, 10, 4, 6);
    const r = checkSvd(a, 1e-10, 'rank 4');
    for (let i = 4; i < 10; i++) assert.ok(r.s[i] < 1e-12 * r.s[0]);
    assert.equal(rank(a), 4);
  });

  test('rank-deficient wide matrix and singularValues agree with svd', () => {
    const a = randLowRank(7, 20, 3, 12);
    const r = checkSvd(a, 1e-10, 'wide rank 3');
    const s = singularValues(a);
    for (let i = 0; i < 7; i++) assert.ok(Math.abs(s[i] - r.s[i]) < 1e-12 * r.s[0]);
  });

  test('graded columns: small singular values keep relative accuracy', () => {
    const s = [1, 1e-4, 1e-8, 1e-12];
    const q1 = randOrthonormal(10, 4, 13),
      q2 = randOrthonormal(4, 4, 14);
    const got = singularValues(matmul(matmul(q1, diag(s)), transpose(q2)));
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(got[i] - s[i]) < 1e-6 * s[i] + 1e-15, `s[${i}] = ${got[i]}`);
  });

  test('zero and 1x1 matrices', () => {
    const z = checkSvd(mat(4, 3), 1e-15, 'zero');
    assert.deepEqual(Array.from(z.s), [0, 0, 0]);
    assert.equal(svd(fromRows([[-3]])).s[0], 3);
  });

  test('truncatedSvd gives the best rank-k approximation (Eckart–Young error)', () => {
    const a = randn(20, 15, 7);
    const full = svd(a);
    const t = truncatedSvd(a, 5);
    assert.equal(t.u.cols, 5);
    let tail = 0;
    for (let i = 5; i < 15; i++) tail += full.s[i] ** 2;
    assert.ok(Math.abs(frobenius(sub(a, svdReconstruct(t))) - Math.sqrt(tail)) < 1e-10);
  });
});

describe('pinv', () => {
  test('satisfies the four Penrose conditions on a rank-deficient matrix', () => {
    const a = randLowRank(12, 9, 5, 8);
    const p = pinv(a);
    assert.equal(p.rows, 9);
    assert.equal(p.cols, 12);
    const ap = matmul(a, p),
      pa = matmul(p, a);
    assertClose(matmul(ap, a), a, 1e-10, 'A·A⁺·A = A');
    assertClose(matmul(pa, p), p, 1e-10, 'A⁺·A·A⁺ = A⁺');
    assertClose(ap, transpose(ap), 1e-10, '(A·A⁺)ᵀ = A·A⁺');
    assertClose(pa, transpose(pa), 1e-10, '(A⁺·A)ᵀ = A⁺·A');
  });

  test('equals the inverse for a nonsingular matrix', () => {
    const a = randn(8, 8, 9);
    assertClose(matmul(pinv(a), a), diag(new Array(8).fill(1)), 1e-10, 'A⁺A');
  });
});
