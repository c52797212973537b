import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  balancedFactors,
  chooseTtShape,
  makeTtSpec,
  randomCores,
  reconstructDense,
  ttParamCount,
  ttSvd,
} from '../../src/passes/tt/index.js';
import { frob, maxAbsDiff, randArray } from './helpers.js';

describe('TT factorization', () => {
  test('balanced factors', () => {
    assert.deepEqual(balancedFactors(784, 2), [28, 28]);
    assert.deepEqual(
      balancedFactors(300, 3),
      [6, 5, 10].sort((a, b) => a - b),
    );
    assert.equal(balancedFactors(10, 3), undefined);
    assert.deepEqual(balancedFactors(7, 2, true), [1, 7]);
  });
  test('auto picks the most cores with factors ≥ 2 on both sides', () => {
    const s = chooseTtShape(300, 784);
    assert.equal(s.m.length, 4);
    assert.equal(
      s.m.reduce((a, b) => a * b),
      300,
    );
    assert.equal(
      s.n.reduce((a, b) => a * b),
      784,
    );
    assert.equal(chooseTtShape(10, 84).m.length, 2);
  });
});

describe('TT-SVD', () => {
  const M = 12,
    N = 30;
  const w = randArray(M * N, 7);
  test('full ranks reproduce the weight exactly (TT)', () => {
    const spec = makeTtSpec(M, N, { rank: 1000, cores: 3 });
    const back = reconstructDense(spec, ttSvd(w, spec));
    assert.ok(maxAbsDiff(back, w) < 1e-5, `max diff ${maxAbsDiff(back, w)}`);
  });
  test('full ranks reproduce the weight exactly (tensor ring, r0 = 2)', () => {
    const spec = makeTtSpec(M, N, { rank: 1000, ringRank: 2, cores: 2 });
    assert.equal(spec.ranks[0], 2);
    assert.ok(spec.ring);
    const back = reconstructDense(spec, ttSvd(w, spec));
    assert.ok(maxAbsDiff(back, w) < 1e-5, `max diff ${maxAbsDiff(back, w)}`);
  });
  test('error decreases with rank', () => {
    let prev = Infinity;
    const errs: number[] = [];
    for (const r of [1, 2, 3, 4, 6, 8, 12]) {
      const spec = makeTtSpec(M, N, { rank: r, cores: 3 });
      const back = reconstructDense(spec, ttSvd(w, spec));
      const diff = Float64Array.from(back, (v, i) => v - w[i]!);
      const err = frob(diff) / frob(w);
      errs.push(err);
      assert.ok(err <= prev + 1e-9, `rank ${r}: error ${err} > previous ${prev}`);
      prev = err;
    }
    assert.ok(errs[0]! > 0.3 && errs[errs.length - 1]! < 1e-5, errs.join(', '));
  });
});

describe('random TT init', () => {
  test('reconstructed weight has the target variance', () => {
    const spec = makeTtSpec(64, 128, { rank: 6, cores: 3 });
    const target = 2 / 128;
    let v = 0,
      count = 0;
    for (let seed = 0; seed < 8; seed++) {
      const w = reconstructDense(spec, randomCores(spec, target, seed));
      for (const x of w) v += x * x;
      count += w.length;
    }
    const ratio = v / count / target;
    assert.ok(ratio > 0.8 && ratio < 1.25, `variance ratio ${ratio}`);
    assert.ok(ttParamCount(spec) < 64 * 128);
  });
});
