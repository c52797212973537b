import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { channelGroups } from '../../src/analysis/coupling.js';
import { take } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/sources.js';
import { buildModel } from '../../src/models/index.js';
import { decodeModel, encodeModel } from '../../src/onnx/index.js';
import { modelMetrics } from '../../src/analysis/metrics.js';
import { runPro } from '../../src/passes/schedule/pro.js';
import { groupGrams } from '../../src/passes/cut/behaviours.js';
import { prune, type StructuredPruneApiOptions } from '../../src/api/prune.js';
import { groupKey } from '../../src/passes/cut/groups.js';
import { pruneStructured } from '../../src/passes/cut/prune.js';
import { randomInput, relMaxDiff, runLogits } from '../srn/helpers.js';

const calib = () => take(loadDataset('mnist', 'train'), 300);

describe('pruned models load in ORT with the promised channels and MACs', () => {
  const cases = [
    { arch: 'lenet5', method: 'l1', extra: {} },
    { arch: 'vgg-small', method: 'l2', extra: { roundTo: 8 } },
    { arch: 'resnet-small', method: 'random', extra: {} },
    { arch: 'resnet-small', method: 'reap', extra: { srn: true, data: loadDataset('mnist', 'train'), calib: 200 } },
    { arch: 'mlp', method: 'nu', extra: { data: loadDataset('mnist', 'train'), calib: 200 } },
  ] as const;
  for (const c of cases) {
    test(`${c.arch} ${c.method} ${Object.keys(c.extra).join(',')}`, async () => {
      const g = buildModel(c.arch);
      const { graph, summary } = await prune(g, {
        method: c.method,
        ratio: 0.4,
        ...c.extra,
      } as StructuredPruneApiOptions);
      const back = decodeModel(encodeModel(graph));
      const x = randomInput(c.arch === 'mlp' ? [2, 784] : [2, 1, 28, 28]);
      const y = await runLogits(back, x);
      assert.equal(y.length, 20);
      assert.ok(y.every(Number.isFinite));
      const channels = summary.channels;
      assert.ok(Object.keys(channels).length > 0);
      const sizes = new Map(channelGroups(back).map((gr) => [groupKey(gr), gr.size]));
      for (const [key, [, k]] of Object.entries(channels)) {
        assert.equal(sizes.get(key), k, `group ${key}`);
        if ('roundTo' in c.extra) assert.equal(k % 8, 0);
      }
      const m = modelMetrics(back).totals;
      assert.equal(m.macs, summary.macsAfter);
      assert.equal(m.params, summary.paramsAfter);
      assert.ok((summary.macsAfter as number) < (summary.macsBefore as number));
    });
  }
});

test('pruning channels whose outgoing weights are all zero changes nothing (REAP, NU, L1 cut)', async () => {
  const g = buildModel('lenet5', { seed: 4 });
  // conv2 output channels 3 and 7 feed fc1 through Flatten blocks of 25 columns: zero those columns.
  const w = g.initializers.get('fc1.weight')!;
  const d = w.data as Float32Array;
  for (let o = 0; o < 120; o++) for (const ch of [3, 7]) for (let j = 0; j < 25; j++) d[o * 400 + ch * 25 + j] = 0;
  const grams = await groupGrams(g, calib(), { samples: 300 });
  const x = randomInput([4, 1, 28, 28]);
  const ref = await runLogits(g, x);
  for (const method of ['reap', 'nu'] as const) {
    const r = pruneStructured(g, { method, ratios: { conv2: 2 / 16 }, grams });
    assert.deepEqual(r.channels, { conv2: [16, 14] });
    const wNew = r.graph.initializers.get('fc1.weight')!;
    assert.deepEqual(wNew.dims, [120, 350]);
    assert.ok(relMaxDiff(ref, await runLogits(r.graph, x)) <= 1e-6, method);
  }
});

test('PRO meets a MAC budget and reports per-group ratios', async () => {
  const g = buildModel('mlp', { seed: 1 });
  const ds = calib();
  const grams = await groupGrams(g, ds, { samples: 300 });
  const r = await runPro(g, ds, { method: 'reap', budget: 0.6, grams, step: 0.1, evalSamples: 64 });
  assert.ok(r.macs <= 0.6 * 266200 + 1e-6, `macs ${r.macs}`);
  assert.deepEqual(Object.keys(r.ratios).sort(), ['fc1', 'fc2']);
  const pruned = pruneStructured(g, { method: 'reap', ratios: r.ratios, grams }).graph;
  assert.equal(modelMetrics(pruned).totals.macs, r.macs);
});

test('PRO (KL objective) never ends with a higher logit error than one uniform ratio at the same budget', async () => {
  const { costModel, ratioForMacs } = await import('../../src/passes/schedule/cost.js');
  const { groupStatuses } = await import('../../src/passes/cut/groups.js');
  const { f32 } = await import('../../src/ir/tensor.js');
  const g = buildModel('lenet5', { seed: 1 });
  const ds = calib();
  const n = 64;
  const x = f32([n, ...ds.shape], ds.images.slice(0, (n * ds.images.length) / ds.count));
  const ref = await runLogits(g, x);
  const { meanKl } = await import('../../src/passes/schedule/logit-error.js');
  const kl = async (h: typeof g) => meanKl(ref, await runLogits(h, x), n);
  const st = groupStatuses(g, { behaviour: false }).filter((s) => !s.reason);
  for (const budget of [0.5, 0.3]) {
    const r = await runPro(g, ds, { method: 'l1', budget, step: 0.2, evalSamples: n });
    const uniform = pruneStructured(g, { method: 'l1', ratio: ratioForMacs(costModel(g, st), st, budget) }).graph;
    const proGraph = pruneStructured(g, { method: 'l1', ratios: r.ratios }).graph;
    assert.ok(modelMetrics(proGraph).totals.macs <= budget * modelMetrics(g).totals.macs + 1e-6);
    const [eu, ep] = [await kl(uniform), await kl(proGraph)];
    assert.ok(ep <= eu * (1 + 1e-6), `budget ${budget}: PRO's logit KL ${ep} above uniform's ${eu}`);
    assert.ok(Math.abs(ep - r.logitError) <= 1e-6 * Math.max(ep, 1e-12), 'the reported error is the returned one');
    if (r.uniform) assert.equal(ep, eu, 'when PRO says it used the uniform ratio, it returned exactly that model');
  }
});

test('cutting a residual-stream channel whose readers all ignore it changes nothing (resnet-small, BN)', async () => {
  const { randomizeBn } = await import('../srn/helpers.js');
  const { removeChannels } = await import('../../src/analysis/coupling.js');
  const g = randomizeBn(buildModel('resnet-small', { seed: 1 }));
  const find = (h: typeof g) => channelGroups(h).find((x) => x.producers.some((p) => p.node === 'layer2.0.conv2'))!;
  const c = 5;
  for (const con of find(g).consumers) {
    const t = g.initializers.get(con.weight)!;
    const d = t.data as Float32Array;
    const [O, C] = t.dims as [number, number];
    const k = t.dims.slice(2).reduce((a, b) => a * b, 1);
    for (let o = 0; o < O; o++) for (let j = 0; j < k; j++) d[(o * C + c) * k + j] = 0;
  }
  const x = randomInput([2, 1, 28, 28]);
  const ref = await runLogits(g, x);
  const h = g.clone();
  removeChannels(
    h,
    find(h),
    Array.from({ length: 31 }, (_, i) => (i < c ? i : i + 1)),
  );
  assert.ok(relMaxDiff(ref, await runLogits(h, x)) <= 1e-5);
});

test('meanKl: zero for equal logits, shift-invariant, and the closed form on two classes', async () => {
  const { meanKl } = await import('../../src/passes/schedule/logit-error.js');
  const a = Float32Array.from([2, -1, 0.5, 0.5]);
  assert.equal(meanKl(a, a, 2), 0);
  assert.ok(
    Math.abs(meanKl(a, Float32Array.from([12, 9, -3, -3]), 2)) < 1e-12,
    'adding a constant per row changes nothing',
  );
  // p = softmax([0, 0]) = (½, ½), q = softmax([0, ln 3]) = (¼, ¾): KL = ½ ln(2) + ½ ln(⅔).
  const q = Float32Array.from([0, Math.log(3)]);
  const want = 0.5 * Math.log(0.5 / 0.25) + 0.5 * Math.log(0.5 / 0.75);
  assert.ok(Math.abs(meanKl(Float32Array.from([0, 0]), q, 1) - want) < 1e-7);
});
