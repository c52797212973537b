/** TEDEPR end to end on a small slice of MNIST: exact sparsity, masked entries still exactly zero after training. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { loadDataset } from '../../src/data/sources.js';
import { loadOnnx } from '../../src/onnx/index.js';
import { runTedeprCommand } from '../../src/cli/commands/tedepr.js';
import { buildModel } from '../../src/models/index.js';
import { runTedepr } from '../../src/passes/tedepr/pipeline.js';
import { prunableTensors } from '../../src/passes/tedepr/accounting.js';
import { ttLayersOf } from '../../src/passes/tt/index.js';

const train = loadDataset('mnist', 'train', { limit: 512 });
const test_ = loadDataset('mnist', 'test', { limit: 200 });

describe('TEDEPR pipeline', () => {
  for (const ttRank of [undefined, 4]) {
    test(`${ttRank ? 'TT' : 'dense'} mlp at extreme sparsity: exact kept count, zeros stay zero`, async () => {
      const sparsity = ttRank ? 0.998 : 0.99;
      const r = await runTedepr(buildModel('mlp'), train, test_, {
        sparsity,
        score: 'snip',
        ttRank,
        epochs: 1,
        batchSize: 64,
        probeBatches: 2,
      });
      const keep = Math.round((1 - sparsity) * r.densePrunable);
      if (ttRank) {
        assert.ok(ttLayersOf(r.graph).length > 0);
        // Fewer core entries than the budget would leave nothing to prune; rank 4 leaves some pruning to do.
        assert.ok(r.maskDensity < 1, `mask density ${r.maskDensity}`);
      }
      // Training keeps pruned entries at exactly 0; kept ones may not be 0 (an exact 0 after Adam is measure-zero).
      assert.equal(r.prunableNonzeros, keep);
      assert.ok(Math.abs(r.sparsity - sparsity) < 1e-4);
      let zeros = 0,
        size = 0;
      for (const p of prunableTensors(r.graph)) {
        const w = r.graph.initializers.get(p)!.data as Float32Array;
        size += w.length;
        for (const v of w) if (v === 0) zeros++;
      }
      assert.equal(size - zeros, keep);
      assert.ok(r.accuracy >= 0 && r.accuracy <= 1);
    });
  }

  test('CLI: --json fields and an ONNX file with TT metadata', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tedepr-'));
    const out = path.join(dir, 'm.onnx');
    const r = await runTedeprCommand({
      arch: 'mlp',
      data: 'mnist',
      sparsity: '0.998',
      score: 'trainability',
      ttRank: '4',
      ttForm: 'chain',
      epochs: '1',
      batch: '64',
      lr: '2e-3',
      optimizer: 'adam',
      seed: '0',
      scope: 'global',
      limit: 256,
      testLimit: 100,
      rounds: '3',
      output: out,
      json: true,
    });
    for (const k of ['accuracy', 'sparsity', 'params', 'nonzeros'] as const) assert.equal(typeof r[k], 'number');
    const g = loadOnnx(out);
    assert.ok(ttLayersOf(g).length > 0, 'reprune.tt metadata survives the ONNX round trip');
    assert.match(g.metadata['reprune.tedepr'] ?? '', /TEDEPR model/);
  });
});
