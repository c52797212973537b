import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { solve, inverse, det, matmul, eye, randn, fromRows } from '../../src/linalg/index.js';
import { assertClose } from './helpers.js';

describe('LU solve / inverse', () => {
  test('inverse·A ≈ I for a random nonsymmetric matrix', () => {
    const a = randn(50, 50, 1);
    assertClose(matmul(inverse(a), a), eye(50), 1e-10, 'A⁻¹A');
    assertClose(matmul(a, inverse(a)), eye(50), 1e-10, 'AA⁻¹');
  });

  test('solve needs pivoting (zero leading entry)', () => {
    const a = fromRows([
      [0, 1],
      [1, 0],
    ]);
    const x = solve(a, fromRows([[2], [3]]));
    assert.deepEqual(Array.from(x.data), [3, 2]);
  });

  test('solve with many right-hand sides', () => {
    const a = randn(20, 20, 2),
      x = randn(20, 7, 3);
    assertClose(solve(a, matmul(a, x)), x, 1e-9, 'X');
  });

  test('det and singular detection', () => {
    assert.ok(
      Math.abs(
        det(
          fromRows([
            [1, 2],
            [3, 4],
          ]),
        ) + 2,
      ) < 1e-12,
    );
    assert.equal(
      det(
        fromRows([
          [1, 2],
          [2, 4],
        ]),
      ),
      0,
    );
    assert.throws(
      () =>
        inverse(
          fromRows([
            [1, 2],
            [2, 4],
          ]),
        ),
      /singular/,
    );
  });
});
