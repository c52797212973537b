import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelGroups } from '../../src/analysis/coupling.js';
import { buildModel, ZOO_ARCHS } from '../../src/models/index.js';
import { maxAbs, maxDiff, permuteAll, runOn } from './helpers.js';

for (const arch of ZOO_ARCHS) {
  test(`random channel permutations preserve ${arch}`, async () => {
    const g = buildModel(arch, { seed: 3 });
    // fresh BN stats are trivial: give them non-trivial values so a forgotten running stat would show
    for (const [k, t] of g.initializers) {
      if (/running_(mean|var)$/.test(k)) {
        const d = t.data as Float32Array;
        for (let i = 0; i < d.length; i++)
          d[i] = k.endsWith('var') ? 0.5 + ((i * 7) % 5) / 5 : ((i * 13) % 7) / 7 - 0.5;
      }
    }
    const before = await runOn(g);
    const h = g.clone();
    const n = permuteAll(h, 11);
    const groups = channelGroups(g);
    assert.equal(n, groups.filter((x) => !x.fixed).length);
    assert.ok(n >= 1, `${arch}: at least one permutable group`);
    const after = await runOn(h);
    assert.ok(
      maxDiff(before, after) <= 1e-4 * maxAbs(before),
      `${arch}: max diff ${maxDiff(before, after)} vs max ${maxAbs(before)}`,
    );
  });
}
