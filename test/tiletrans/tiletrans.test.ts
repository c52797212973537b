import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel, ZOO_ARCHS } from '../../src/models/index.js';
import { tileTrans } from '../../src/passes/tiletrans/index.js';
import { compareTileTrans } from '../../src/bench/tiletrans-compare.js';
import type { Pattern } from '../../src/passes/tile/pattern.js';
import { couplingZoo } from '../analysis/graphs.js';
import { maxAbs, maxDiff, runOn } from '../analysis/helpers.js';

describe('tileTrans preserves the function', () => {
  for (const [name, build] of [
    ['coupling zoo', () => couplingZoo()],
    ['resnet-small', () => buildModel('resnet-small', { seed: 2 })],
  ] as const) {
    for (const mode of ['sort', 'search'] as const) {
      test(`${name} ${mode}`, async () => {
        const g = build();
        const before = await runOn(g);
        const r = tileTrans(g, { mode, pattern: { kind: 'tile', th: 4, tw: 1 }, sparsity: 0.7 });
        assert.ok(r.report.permuted >= 1);
        const after = await runOn(r.graph);
        assert.ok(maxDiff(before, after) <= 1e-4 * maxAbs(before));
      });
    }
  }
});

describe('search keeps at least as much importance as no permutation, on every layer', () => {
  const patterns: Array<[string, Pattern]> = [
    ['8x1', { kind: 'tile', th: 8, tw: 1 }],
    ['1x8', { kind: 'tile', th: 1, tw: 8 }],
    ['4x4', { kind: 'tile', th: 4, tw: 4 }],
    ['2:4', { kind: 'nm', n: 2, m: 4 }],
  ];
  for (const arch of ZOO_ARCHS.filter((a) => a !== 'vgg-small' && a !== 'alexnet-small')) {
    for (const [pname, pattern] of patterns) {
      test(`${arch} ${pname}`, () => {
        const g = buildModel(arch, { seed: 5 });
        const c = compareTileTrans(g, { pattern, sparsity: 0.7, scope: 'layer' });
        for (const l of c.layers)
          assert.ok(l.search >= l.identity - 1e-9, `${l.node}: search ${l.search} < identity ${l.identity}`);
        assert.ok(c.total.search >= c.total.identity - 1e-9);
      });
    }
  }
});
