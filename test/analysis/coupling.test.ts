import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { channelGroups, applyPermutation, removeChannels, checkPermutation } from '../../src/analysis/coupling.js';
import { A } from '../../src/ir/attrs.js';
import { couplingZoo, reshapeNet } from './graphs.js';
import { maxAbs, maxDiff, permuteAll, runOn } from './helpers.js';

describe('channelGroups', () => {
  test('finds residual, concat, grouped, depthwise and flatten coupling', () => {
    const g = couplingZoo();
    const groups = channelGroups(g);
    const byProducer = (node: string) => groups.find((gr) => gr.producers.some((p) => p.node === node))!;
    const res = byProducer('conv1');
    assert.equal(res, byProducer('conv2'), 'residual Add joins conv1 and conv2 outputs');
    assert.equal(res.fixed, false);
    assert.deepEqual(res.params.filter((p) => p.role.startsWith('bn')).length, 8);
    assert.deepEqual(res.consumers.map((c) => c.node).sort(), ['conv2', 'conv3', 'conv4']);
    const g3 = byProducer('conv3');
    assert.deepEqual(g3.cuts, [0, 4, 8], 'grouped conv keeps its two blocks');
    assert.ok(g3.params.some((p) => p.role === 'depthwise-weight'));
    const fc1Reader = g3.consumers.find((c) => c.node === 'fc1')!;
    assert.deepEqual([fc1Reader.offset, fc1Reader.block], [0, 16]);
    const g4 = byProducer('conv4');
    const fc1From4 = g4.consumers.find((c) => c.node === 'fc1')!;
    assert.deepEqual([fc1From4.offset, fc1From4.block], [128, 16], 'concat offset 8 channels × 16');
    assert.equal(byProducer('fc3').fixed, true, 'network output is fixed');
    assert.match(byProducer('fc3').reasons.join(), /graph output/);
    assert.equal(groups.find((gr) => gr.values.includes('input'))!.fixed, true);
    assert.doesNotThrow(() => JSON.stringify(groups));
  });

  test('unknown consumer marks the group fixed with a reason', () => {
    const g = reshapeNet();
    // Channels move to axis 2: not NCHW ↔ NHWC, so the analysis cannot follow them.
    const t = g.add('Transpose', [g.nodes[1]!.outputs[0]!], { perm: A.ints([0, 2, 1, 3]) })[0]!;
    g.outputs.push({ name: t, dtype: 'float32' });
    const gr = channelGroups(g).find((x) => x.producers.some((p) => p.node === 'conv1'))!;
    assert.equal(gr.fixed, true);
    assert.match(gr.reasons.join(), /Transpose node 'transpose'/);
  });

  test('rejects permutations that cross conv-group cuts', () => {
    const gr = channelGroups(couplingZoo()).find((x) => x.producers.some((p) => p.node === 'conv3'))!;
    assert.throws(() => checkPermutation(gr, [4, 1, 2, 3, 0, 5, 6, 7]), /conv-group/);
  });
});

describe('applyPermutation preserves the function', () => {
  for (const [name, build] of [
    ['coupling zoo', couplingZoo],
    ['reshape net', reshapeNet],
  ] as const) {
    test(name, async () => {
      const g = build();
      const before = await runOn(g);
      const h = g.clone();
      const n = permuteAll(h);
      assert.ok(n >= 1);
      const after = await runOn(h);
      assert.ok(maxDiff(before, after) <= 1e-4 * maxAbs(before), `max diff ${maxDiff(before, after)}`);
      // and it did change weights
      assert.notDeepEqual(h.initializers.get('conv1.weight')!.data, g.initializers.get('conv1.weight')!.data);
    });
  }
});

describe('removeChannels', () => {
  test('removing zeroed channels leaves the function unchanged', async () => {
    const g = reshapeNet();
    const gr = channelGroups(g).find((x) => x.producers.some((p) => p.node === 'conv1'))!;
    // zero channel 1 and 4 of fc's input blocks: removing them must not change outputs
    const fc = g.initializers.get('fc.weight')!.data as Float32Array;
    for (let r = 0; r < 3; r++) for (const c of [1, 4]) fc.fill(0, r * 96 + c * 16, r * 96 + c * 16 + 16);
    const before = await runOn(g);
    removeChannels(g, gr, [0, 2, 3, 5]);
    assert.deepEqual(g.initializers.get('conv1.weight')!.dims, [4, 2, 3, 3]);
    assert.deepEqual(g.initializers.get('fc.weight')!.dims, [3, 64]);
    const after = await runOn(g);
    assert.ok(maxDiff(before, after) <= 1e-5 * maxAbs(before));
  });

  test('refuses fixed groups', () => {
    const g = couplingZoo();
    const gr = channelGroups(g).find((x) => x.fixed && x.producers.length > 0)!;
    assert.throws(() => applyPermutation(g, gr, gr.cuts.length ? [] : []), /fixed/);
  });
});
