import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelGroups } from '../../src/analysis/coupling.js';
import { modelMetrics } from '../../src/analysis/metrics.js';
import { prune } from '../../src/api/prune.js';
import { take } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/sources.js';
import { buildModel } from '../../src/models/index.js';
import { decodeModel, encodeModel } from '../../src/onnx/index.js';
import { channelUnit, groupKey, keepCount, ROUND_TO_AUTO } from '../../src/passes/cut/groups.js';
import type { ChannelsPlan } from '../../src/passes/channels/pass.js';
import { randomInput, relMaxDiff, runLogits } from '../srn/helpers.js';

test('keepCount with round-to N: a multiple of N (or the whole group), never below N, never above the original', () => {
  for (const n of [8, 16])
    for (let size = 1; size <= 300; size++)
      for (const ratio of [0, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99]) {
        const k = keepCount(size, ratio, n);
        assert.ok(k <= size, `size ${size} ratio ${ratio} N ${n}: kept ${k}`);
        assert.ok(k >= Math.min(n, size), `size ${size} ratio ${ratio} N ${n}: kept ${k} < N`);
        assert.ok(k % n === 0 || k === size, `size ${size} ratio ${ratio} N ${n}: kept ${k} is not a multiple`);
      }
  // Nearest multiple: 100 channels at −50 % keep 48 (50 rounds to 48), at −10 % keep 88 (90 → 88).
  assert.equal(keepCount(100, 0.5, 8), 48);
  assert.equal(keepCount(100, 0.1, 8), 88);
});

test('round-to by width: 16 from 64 channels, 8 from 32, 1 below; keepCount follows the unit', () => {
  assert.deepEqual(
    [6, 31, 32, 63, 64, 512].map((n) => channelUnit(n, ROUND_TO_AUTO)),
    [1, 1, 8, 8, 16, 16],
  );
  assert.equal(channelUnit(100, 8), 8); // an explicit multiple is kept whatever the width
  assert.equal(keepCount(6, 0.5, ROUND_TO_AUTO), 3); // LeNet-sized layers prune channel by channel
  assert.equal(keepCount(48, 0.5, ROUND_TO_AUTO), 24);
  assert.equal(keepCount(512, 0.3, ROUND_TO_AUTO), 352); // 358.4 → nearest multiple of 16
});

/** Every cut group's kept count, read back from the pruned model's own coupling groups. */
function keptCounts(g: ReturnType<typeof buildModel>, channels: Record<string, [number, number]>) {
  const sizes = new Map(channelGroups(g).map((gr) => [groupKey(gr), gr.size]));
  return Object.entries(channels).map(([key, [before, kept]]) => ({ key, before, kept, actual: sizes.get(key) }));
}

for (const c of [
  { arch: 'resnet-small', n: 16, srn: false },
  { arch: 'resnet-small', n: 8, srn: true },
  { arch: 'vgg-small', n: 16, srn: false },
] as const) {
  test(`${c.arch}${c.srn ? ' + SRN' : ''}, L1 −50 %, round-to ${c.n}: coupled groups keep multiples of ${c.n}, ORT runs it, MACs as reported`, async () => {
    const g = buildModel(c.arch);
    const r = await prune(g, { method: 'l1', ratio: 0.5, roundTo: c.n, srn: c.srn });
    const back = decodeModel(encodeModel(r.graph));
    const counts = keptCounts(back, r.summary.channels);
    assert.ok(counts.length > 0, 'nothing was cut');
    for (const k of counts) {
      assert.equal(k.actual, k.kept, `group ${k.key}`);
      assert.ok(k.kept % c.n === 0 && k.kept >= c.n && k.kept < k.before, `group ${k.key}: ${k.before} → ${k.kept}`);
    }
    const channelsPlan = r.plan.steps.find((s) => s.pass === 'channels') as ChannelsPlan;
    assert.equal(channelsPlan.options.roundTo, c.n, 'the plan records round-to');
    const y = await runLogits(back, randomInput([2, 1, 28, 28]));
    assert.equal(y.length, 20);
    assert.ok(y.every(Number.isFinite));
    const m = modelMetrics(back).totals;
    assert.equal(m.macs, r.summary.macsAfter);
    assert.ok(r.summary.macsAfter < r.summary.macsBefore);
  });
}

test('PRO budget with round-to 8: every group PRO cuts keeps a multiple of 8 and the budget holds', async () => {
  const g = buildModel('vgg-small');
  const data = take(loadDataset('mnist', 'train'), 200);
  const r = await prune(g, { method: 'l1', budgetMacs: 0.6, roundTo: 8, data, calib: 128, proStep: 0.25 });
  const counts = keptCounts(decodeModel(encodeModel(r.graph)), r.summary.channels);
  assert.ok(counts.length > 0);
  for (const k of counts) assert.ok(k.kept % 8 === 0 && k.actual === k.kept, `group ${k.key}: ${k.before} → ${k.kept}`);
  assert.ok(
    r.summary.macsAfter <= 0.6 * r.summary.macsBefore * 1.001,
    `${r.summary.macsAfter} / ${r.summary.macsBefore}`,
  );
});

test('foldBn: pruning then fold-bn leaves no BatchNormalization and computes the same function', async () => {
  const g = buildModel('resnet-small');
  const plain = await prune(g, { method: 'l1', ratio: 0.5, roundTo: 8 });
  const folded = await prune(g, { method: 'l1', ratio: 0.5, roundTo: 8, foldBn: true });
  assert.ok(
    plain.graph.nodes.some((n) => n.opType === 'BatchNormalization'),
    'pruning alone keeps BN',
  );
  assert.ok(!folded.graph.nodes.some((n) => n.opType === 'BatchNormalization'), 'BN left after fold-bn');
  assert.deepEqual(
    folded.plan.steps.map((s) => s.pass),
    ['channels', 'fold-bn'],
  );
  assert.equal(folded.summary.macsAfter, plain.summary.macsAfter);
  const x = randomInput([2, 1, 28, 28]);
  const [a, b] = [await runLogits(plain.graph, x), await runLogits(folded.graph, x)];
  assert.ok(relMaxDiff(b, a) < 1e-5, `max rel diff ${relMaxDiff(b, a)}`);
});

test('PRO with round-to 8 on groups whose sizes are not multiples of 8 (lenet5: 6, 16, 120, 84) keeps multiples of 8', async () => {
  const data = take(loadDataset('mnist', 'train'), 200);
  for (const budgetMacs of [0.7, 0.85, 0.95]) {
    const r = await prune(buildModel('lenet5'), {
      method: 'l1',
      budgetMacs,
      roundTo: 8,
      data,
      calib: 128,
      proStep: 0.05,
    });
    const counts = keptCounts(decodeModel(encodeModel(r.graph)), r.summary.channels);
    for (const k of counts)
      assert.ok(
        k.kept % 8 === 0 && k.actual === k.kept,
        `budget ${budgetMacs}, group ${k.key}: ${k.before} → ${k.kept}`,
      );
    // PRO prices only counts the cut keeps, so the budget holds after rounding too.
    assert.ok(r.summary.macsAfter <= budgetMacs * r.summary.macsBefore, `budget ${budgetMacs}: ${r.summary.message}`);
  }
});
