import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../src/models/index.js';
import { lowerTileSparse } from '../../src/passes/tile/lower.js';
import { tilePrune } from '../../src/passes/tile/prune.js';
import { tileTrans } from '../../src/passes/tiletrans/index.js';
import { gemmModel } from '../../src/passes/tiletrans/bench-speed.js';
import { maxAbs, maxDiff, runOn } from '../analysis/helpers.js';

for (const [name, build, th, tw] of [
  ['gemm 256 128x1', () => gemmModel(256), 128, 1],
  ['gemm 256 1x16', () => gemmModel(256), 1, 16],
  ['lenet5 (conv + gemm) 8x1', () => buildModel('lenet5', { seed: 4 }), 8, 1],
  ['mlp 16x16 after tiletrans', () => { const g = buildModel('mlp', { seed: 4 }); tileTrans(g, { mode: 'sort' }); return g; }, 16, 16],
] as const) {
  test(`lowered model equals the masked model: ${name}`, async () => {
    const g = build();
    tilePrune(g, { pattern: { kind: 'tile', th, tw }, sparsity: 0.75 });
    const low = g.clone();
    const done = lowerTileSparse(low, { maxDensity: 1, minRows: 8 });
    assert.ok(done.length >= 1);
    assert.ok(low.nodes.some((n) => n.name.includes('_lw_')));
    const a = await runOn(g);
    const b = await runOn(low);
    assert.ok(maxDiff(a, b) <= 1e-5 * maxAbs(a), `diff ${maxDiff(a, b)}`);
  });
}
