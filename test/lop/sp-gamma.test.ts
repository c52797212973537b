/** The losses behind SP-KD's γ rule, against direct definitions on small cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanCrossEntropy, spKdValue } from '../../src/passes/lop/sp-gamma.js';

test('meanCrossEntropy is −log softmax at the label, averaged', () => {
  const logits = Float32Array.from([0, 0, 0, 1000, 0, -1000]);
  const ce = meanCrossEntropy(logits, Int32Array.from([2, 2]), 2);
  // row 1: uniform over 3 → log 3; row 2: label logit 1000 below the max → 2000 (no overflow)
  assert.ok(Math.abs(ce - (Math.log(3) + 2000) / 2) < 1e-9, String(ce));
});

test('spKdValue: zero for features with the same similarities, the Frobenius gap of normalised Grams otherwise', () => {
  const f = Float32Array.from([1, 0, 0, 1]); // two orthogonal samples: G = I
  assert.equal(spKdValue(f, Float32Array.from([3, 0, 0, 3]), 2), 0, 'a scaled copy has the same similarities');
  // teacher: both samples equal → G = [[1,1],[1,1]], rows normalised to 1/√2; student G = I.
  const t = Float32Array.from([1, 1, 1, 1]);
  const r = Math.SQRT1_2;
  const expected = (2 * (1 - r) ** 2 + 2 * r ** 2) / 4;
  assert.ok(Math.abs(spKdValue(f, t, 2) - expected) < 1e-12);
  // Feature width may differ between student and teacher: only the batch must match.
  assert.equal(spKdValue(f, Float32Array.from([1, 0, 0, 0, 1, 0]), 2), 0);
});
