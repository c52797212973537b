import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Mat, gram, randn, matmul } from '../../src/linalg/index.js';
import { SeededRng } from '../../src/util/random.js';
import {
  type LayerProblem,
  reapFast,
  reapNaive,
  nuSelect,
  selectByScore,
  rowNorms,
  reconstructionError,
  foldedWeights,
  constWeights,
} from '../../src/passes/reap/index.js';

/** Correlated, non-negative behaviours (ReLU of a low-rank mix + noise) with a constant column. */
function problem(n: number, m: number, samples: number, seed: number, withConst = true): LayerProblem & { B: Mat } {
  const rng = new SeededRng(seed);
  const latent = randn(samples, Math.max(2, Math.floor(n / 2)), rng);
  const mix = randn(latent.cols, n, rng);
  const B = matmul(latent, mix);
  for (let i = 0; i < B.data.length; i++) B.data[i] = Math.max(0, B.data[i]! + 0.3 * rng.normal() + 0.2);
  const Bc: Mat = withConst ? { rows: samples, cols: n + 1, data: new Float64Array(samples * (n + 1)) } : B;
  if (withConst)
    for (let s = 0; s < samples; s++) {
      for (let j = 0; j < n; j++) Bc.data[s * (n + 1) + j] = B.data[s * n + j]!;
      Bc.data[s * (n + 1) + n] = 1;
    }
  return { gram: gram(Bc), withConst, weights: randn(n, m, rng), B };
}

function relClose(a: Float64Array, b: Float64Array, tol: number): boolean {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num <= tol * Math.max(den, 1e-12);
}

describe('REAP fast vs naive', () => {
  // n = 83 removes 60: crosses the blocked update's flush (every 32 removals) with odd sizes.
  for (const [n, m, withConst, seed] of [
    [10, 7, true, 1],
    [14, 20, true, 2],
    [12, 5, false, 3],
    [16, 9, true, 4],
    [83, 11, true, 5],
  ] as const) {
    test(`n=${n} m=${m} const=${withConst}`, () => {
      const p = problem(n, m, 200, seed, withConst);
      const remove = Math.floor(n * 0.6);
      const fast = reapFast(p, remove);
      for (const mode of n > 40 ? (['per-step'] as const) : (['per-candidate', 'per-step'] as const)) {
        const slow = reapNaive(p, remove, { mode });
        assert.deepEqual(fast.removed, slow.removed, mode);
        assert.deepEqual(fast.keep, slow.keep);
        assert.ok(
          relClose(foldedWeights(fast, p.weights).data, foldedWeights(slow, p.weights).data, 1e-4),
          'folded weights',
        );
        assert.ok(relClose(constWeights(fast, p.weights), constWeights(slow, p.weights), 1e-4), 'bias fold');
        assert.ok(relClose(Float64Array.from(fast.costs), Float64Array.from(slow.costs), 1e-4), 'costs');
      }
    });
  }

  test('greedy costs add up to the reconstruction error (orthogonal residuals)', () => {
    const p = problem(12, 6, 300, 7);
    const f = reapFast(p, 6, { ridge: 0 });
    const total = f.costs.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(reconstructionError(p, f) - total) <= 1e-6 * total);
  });
});

describe('reconstruction error REAP ≤ NU ≤ L1', () => {
  for (const seed of [11, 12, 13]) {
    test(`seed ${seed}`, () => {
      const p = problem(24, 16, 400, seed);
      const remove = 12;
      const producer = randn(24, 30, seed + 100);
      const eReap = reconstructionError(p, reapFast(p, remove));
      const eNu = reconstructionError(p, nuSelect(p, remove));
      const eL1 = reconstructionError(p, selectByScore(rowNorms(producer.data, 24, 30, 'l1'), remove));
      assert.ok(eReap <= eNu, `REAP ${eReap} > NU ${eNu}`);
      assert.ok(eNu <= eL1, `NU ${eNu} > L1 ${eL1}`);
    });
  }
});

test('a neuron with all-zero outgoing weights is removed first at zero cost and changes nothing', () => {
  const p = problem(10, 6, 100, 21);
  for (let x = 0; x < 6; x++) p.weights.data[3 * 6 + x] = 0;
  for (const f of [reapFast(p, 1), nuSelect(p, 1)]) {
    assert.deepEqual(f.removed, [3]);
    assert.equal(f.costs[0], 0);
    const w = foldedWeights(f, p.weights);
    f.keep.forEach((j, k) => {
      for (let x = 0; x < 6; x++) assert.equal(w.data[k * 6 + x], p.weights.data[j * 6 + x]);
    });
    assert.ok(constWeights(f, p.weights).every((v) => v === 0));
    assert.equal(reconstructionError(p, f), 0);
  }
});
