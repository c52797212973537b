import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  countKept,
  hessianGradient,
  meanAbsInput,
  synflowPrune,
  trainabilityPrune,
  probeBatches,
  pruneAtInit,
  SCORE_KINDS,
  snipScores,
  synflowScores,
  topKMasks,
} from '../../src/passes/pai/index.js';
import { biasFreeMlp, D, K, probs, softmaxRegression, tinyData } from './helpers.js';

const ds = tinyData();

/** Mean CE gradient wrt W of softmax regression, and H·v for a direction v over W (bias fixed), in float64. */
function reference(w: Float32Array, b: Float32Array, list: ReturnType<typeof probeBatches>['list'], v?: Float64Array) {
  const g = new Float64Array(K * D);
  const hv = new Float64Array(K * D);
  let count = 0;
  for (const bt of list) {
    for (let s = 0; s < bt.n; s++) {
      const p = probs(w, b, bt.x, s);
      const y = bt.y[s]!;
      for (let k = 0; k < K; k++)
        for (let j = 0; j < D; j++) g[k * D + j] += (p[k]! - (k === y ? 1 : 0)) * bt.x[s * D + j]!;
      if (v) {
        // u = V·x; (diag(p) − ppᵀ)·u; outer product with x.
        const u = new Float64Array(K);
        for (let k = 0; k < K; k++) for (let j = 0; j < D; j++) u[k] += v[k * D + j]! * bt.x[s * D + j]!;
        let pu = 0;
        for (let k = 0; k < K; k++) pu += p[k]! * u[k]!;
        for (let k = 0; k < K; k++) {
          const j2 = p[k]! * (u[k]! - pu);
          for (let j = 0; j < D; j++) hv[k * D + j] += j2 * bt.x[s * D + j]!;
        }
      }
      count++;
    }
  }
  // StepRunner averages per batch then we average batches: equal batch sizes make that the overall mean.
  for (let i = 0; i < g.length; i++) {
    g[i] /= count;
    hv[i] /= count;
  }
  return { g, hv };
}

describe('pruning-at-init scores match direct computations', () => {
  const model = softmaxRegression();
  const w = model.initializers.get('fc.weight')!.data as Float32Array;
  const b = model.initializers.get('fc.bias')!.data as Float32Array;
  const data = probeBatches(model, ds, 2, 16, 5);

  test('SNIP = |g ⊙ θ| with g computed independently', async () => {
    const s = (await snipScores({ model, params: ['fc.weight'], data }))['fc.weight']!;
    const { g } = reference(w, b, data.list);
    for (let i = 0; i < s.length; i++) {
      const want = Math.abs(g[i]! * w[i]!);
      assert.ok(Math.abs(s[i]! - want) < 1e-5 + 1e-4 * want, `entry ${i}: ${s[i]} vs ${want}`);
    }
  });

  test('GraSP Hg (finite differences of gradients) matches the analytic Hessian-gradient product', async () => {
    for (const difference of ['central', 'forward'] as const) {
      const { g, hg } = await hessianGradient({ model, params: ['fc.weight'], data }, { difference, step: 1e-2 });
      const ref = reference(w, b, data.list, g['fc.weight']!);
      const got = hg['fc.weight']!;
      let err = 0,
        norm = 0;
      for (let i = 0; i < got.length; i++) {
        err += (got[i]! - ref.hv[i]!) ** 2;
        norm += ref.hv[i]! ** 2;
      }
      const rel = Math.sqrt(err / norm);
      assert.ok(rel < (difference === 'central' ? 2e-2 : 6e-2), `${difference}: relative error ${rel}`);
    }
  });

  test('SynFlow is data-free and invariant to input scaling; equals |θ|·∂R/∂|θ| computed by hand', async () => {
    const net = biasFreeMlp();
    const params = ['fc1.weight', 'fc2.weight'];
    const s1 = (await synflowScores(net, params, undefined, { inputValue: 1 })).scores;
    const s3 = (await synflowScores(net, params, undefined, { inputValue: 3 })).scores;
    for (const p of params)
      for (let i = 0; i < s1[p]!.length; i++)
        assert.ok(Math.abs(s3[p]![i]! - 3 * s1[p]![i]!) <= 1e-4 * (1 + s3[p]![i]!));
    const keep = 17;
    assert.deepEqual(topKMasks(s1, keep), topKMasks(s3, keep));
    // R = 1ᵀ|W2||W1|1 ⇒ ∂R/∂|W1|[h, j] = Σ_k |W2|[k, h].
    const w1 = net.initializers.get('fc1.weight')!.data as Float32Array;
    const w2 = net.initializers.get('fc2.weight')!.data as Float32Array;
    const H = w1.length / D;
    for (let h = 0; h < H; h++) {
      let col = 0;
      for (let k = 0; k < K; k++) col += Math.abs(w2[k * H + h]!);
      for (let j = 0; j < D; j++) {
        const want = Math.abs(w1[h * D + j]!) * col;
        assert.ok(Math.abs(s1['fc1.weight']![h * D + j]! - want) < 1e-5 * (1 + want));
      }
    }
  });
});

describe('trainability (ours)', () => {
  test('is SynFlow with the input weighted by the mean |x|: equal to SynFlow when |x| is constant', async () => {
    const net = biasFreeMlp(8);
    const params = ['fc1.weight', 'fc2.weight'];
    const signs = tinyData(32, 9);
    signs.images = signs.images.map((v) => (v >= 0 ? 2 : -2));
    const data = probeBatches(net, signs, 2, 16);
    const x = meanAbsInput({ model: net, params, data });
    assert.ok(x.every((v) => Math.abs(v - 1) < 1e-6));
    const a = await trainabilityPrune({ model: net, params, data }, 12, { rounds: 4 });
    const b = await synflowPrune(net, params, 12, { rounds: 4 });
    assert.deepEqual(a.masks, b.masks);
    // With a non-constant |x|, the mean input changes the scores of the first layer.
    const real = probeBatches(net, ds, 2, 16);
    const c = await trainabilityPrune({ model: net, params, data: real }, 12, { rounds: 1 });
    const b1 = await synflowPrune(net, params, 12, { rounds: 1 });
    assert.notDeepEqual(c.scores['fc1.weight'], b1.scores['fc1.weight']);
    assert.equal(countKept(c.masks), 12);
  });
});

describe('masks', () => {
  test('exactly k kept, even with ties and NaN', () => {
    const scores = {
      a: new Float64Array(100).fill(1),
      b: Float64Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? NaN : 1)),
    };
    for (const k of [0, 1, 7, 75, 150]) assert.equal(countKept(topKMasks(scores, k)), k);
    const layer = topKMasks(scores, 30, { scope: 'layer' });
    assert.equal(countKept({ a: layer.a! }), 20);
    assert.equal(countKept({ b: layer.b! }), 10);
    const floored = topKMasks({ a: new Float64Array(100).fill(5), b: new Float64Array(50).fill(1) }, 20, {
      floor: { b: 4 },
    });
    assert.equal(countKept({ b: floored.b! }), 4);
    assert.equal(countKept(floored), 20);
  });

  for (const score of SCORE_KINDS) {
    test(`pruneAtInit(${score}) keeps exactly the requested count`, async () => {
      const net = biasFreeMlp(8);
      const params = ['fc1.weight', 'fc2.weight'];
      const total = 8 * D + K * 8;
      const keep = Math.round(0.1 * total);
      const { masks } = await pruneAtInit(net, {
        score,
        params,
        keep,
        data: ds,
        probeBatches: 2,
        probeBatchSize: 16,
        rounds: 5,
      });
      assert.equal(countKept(masks), keep);
      assert.deepEqual(Object.keys(masks).sort(), params);
    });
  }
});
