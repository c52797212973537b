import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  mat,
  fromRows,
  fromF32,
  toF32,
  eye,
  transpose,
  matmul,
  matmulTN,
  matmulNT,
  gram,
  matvec,
  add,
  sub,
  scale,
  frobenius,
  maxAbsDiff,
  sliceRows,
  sliceCols,
  selectRowsCols,
  trace,
  randn,
} from '../../src/linalg/index.js';
import { assertClose } from './helpers.js';

/** Textbook triple loop: the oracle for the blocked kernels. */
function naiveMatmul(a: ReturnType<typeof mat>, b: ReturnType<typeof mat>) {
  const c = mat(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      for (let k = 0; k < a.cols; k++) s += a.data[i * a.cols + k] * b.data[k * b.cols + j];
      c.data[i * b.cols + j] = s;
    }
  return c;
}

describe('matrix basics', () => {
  test('construction, transpose, f32 round trip', () => {
    const a = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(Array.from(transpose(a).data), [1, 4, 2, 5, 3, 6]);
    assert.deepEqual(Array.from(toF32(fromF32(2, 3, new Float32Array([1, 2, 3, 4, 5, 6])))), [1, 2, 3, 4, 5, 6]);
    assert.throws(() => mat(2, 2, [1, 2, 3]));
    assert.equal(trace(eye(5)), 5);
  });

  test('elementwise ops and norms', () => {
    const a = fromRows([
      [3, 0],
      [0, 4],
    ]);
    assert.equal(frobenius(a), 5);
    assert.equal(maxAbsDiff(add(a, a), scale(a, 2)), 0);
    assert.equal(frobenius(sub(a, a)), 0);
    assert.equal(frobenius(fromRows([[1e300, 1e300]])), Math.SQRT2 * 1e300); // no overflow
  });

  test('slicing and selection', () => {
    const a = fromRows([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    assert.deepEqual(Array.from(sliceRows(a, 1, 3).data), [4, 5, 6, 7, 8, 9]);
    assert.deepEqual(Array.from(sliceCols(a, 1, 2).data), [2, 5, 8]);
    assert.deepEqual(Array.from(selectRowsCols(a, [2, 0], [1, 1, 0]).data), [8, 8, 7, 2, 2, 1]);
  });
});

describe('matrix products', () => {
  // Odd sizes exercise the 4-row remainder and partial k/j panels.
  for (const [m, k, n] of [
    [1, 1, 1],
    [7, 5, 3],
    [37, 130, 521],
    [130, 3, 9],
  ]) {
    test(`matmul / TN / NT agree with the naive product for ${m}x${k} * ${k}x${n}`, () => {
      const a = randn(m, k, 1),
        b = randn(k, n, 2);
      const ref = naiveMatmul(a, b);
      assertClose(matmul(a, b), ref, 1e-12, 'matmul');
      assertClose(matmulTN(transpose(a), b), ref, 1e-12, 'matmulTN');
      assertClose(matmulNT(a, transpose(b)), ref, 1e-12, 'matmulNT');
    });
  }

  test('gram is symmetric aᵀa; matvec matches matmul', () => {
    const a = randn(20, 6, 3);
    const g = gram(a);
    assertClose(g, transpose(g), 0, 'symmetry');
    assertClose(g, naiveMatmul(transpose(a), a), 1e-12, 'gram');
    const x = randn(6, 1, 4);
    assert.ok(maxAbsDiff(mat(20, 1, matvec(a, x.data)), matmul(a, x)) < 1e-12);
  });

  test('shape mismatch throws', () => {
    assert.throws(() => matmul(mat(2, 3), mat(2, 3)), /matmul/);
  });
});

describe('symmetric products (upper-triangle kernel path)', () => {
  for (const [r, c] of [
    [50, 37],
    [9, 4],
    [3, 6],
    [130, 65],
  ]) {
    test(`gram and gramRows of ${r}x${c} match the plain products`, async () => {
      const { gramRows, matvecT } = await import('../../src/linalg/index.js');
      const a = randn(r, c, r + c);
      assertClose(gram(a), naiveMatmul(transpose(a), a), 1e-12, 'gram');
      assertClose(gramRows(a), naiveMatmul(a, transpose(a)), 1e-12, 'gramRows');
      const x = randn(r, 1, 1);
      assertClose(mat(c, 1, matvecT(a, x.data)), naiveMatmul(transpose(a), x), 1e-12, 'matvecT');
    });
  }
});
