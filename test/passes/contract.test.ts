/**
 * The Pass contract, for every registered pass: planning and applying leave the input model bit-identical (every
 * initializer compared in full, via the whole encoded model), the plan is plain JSON, and applying the plan read
 * back from JSON gives a model byte-identical to the one-step run. A pass added to the registry without a case
 * here fails the coverage test.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { take } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/sources.js';
import type { Graph } from '../../src/ir/graph.js';
import { buildModel } from '../../src/models/index.js';
import { encodeModel } from '../../src/onnx/encode.js';
import type { PassContext } from '../../src/passes/contract.js';
import { resolveOptions } from '../../src/passes/options.js';
import { loadPass, passNames } from '../../src/passes/registry.js';
import { tilePrune } from '../../src/passes/tile/prune.js';
import { setRuntimeDefaults } from '../../src/runtime/session.js';
import { lopExpand } from '../../src/passes/lop/expand.js';
import { projectModel } from '../../src/passes/unify/project-model.js';

interface Case {
  model: () => Graph | Promise<Graph>;
  options: Record<string, unknown>;
  data?: boolean;
}

const CASES: Record<string, Case> = {
  tiletrans: {
    model: () => buildModel('lenet5', { seed: 1 }),
    options: { mode: 'search', tile: '8x1', sparsity: 0.6 },
  },
  tile: {
    model: () => buildModel('lenet5', { seed: 1 }),
    options: { sparsity: 0.6, tile: '8x1', importance: 'taylor', calib: 64 },
    data: true,
  },
  'tile-lower': {
    model: () =>
      tilePrune(buildModel('mlp', { seed: 1 }), { pattern: { kind: 'tile', th: 16, tw: 1 }, sparsity: 0.75 }).graph,
    options: { maxDensity: 1, minRows: 8 },
  },
  channels: {
    model: () => buildModel('lenet5', { seed: 1 }),
    options: { criterion: 'reap', budgetMacs: 0.6, calib: 128 },
    data: true,
  },
  'fold-bn': { model: () => buildModel('resnet-small', { seed: 1 }), options: {} },
  srn: { model: () => buildModel('resnet-small', { seed: 1 }), options: {} },
  'lop-expand': { model: () => buildModel('lenet5', { seed: 1 }), options: { rate: 2, seed: 3 } },
  'lop-merge': {
    model: async () => (await lopExpand(buildModel('lenet5', { seed: 1 }), { rate: 2 })).graph,
    options: {},
  },
  unify: {
    model: () => buildModel('mlp', { seed: 1 }),
    options: { block: '1x4', admmRounds: 1, retrainEpochs: 1, batch: 64 },
    data: true,
  },
  tedepr: {
    model: () => buildModel('mlp', { seed: 1 }),
    options: { sparsity: 0.99, score: 'magnitude', ttRank: '4', epochs: 1, batch: 64 },
    data: true,
  },
  finetune: { model: () => buildModel('lenet5', { seed: 1 }), options: { epochs: 1, batch: 64 }, data: true },
  heads: { model: () => buildModel('vit-small', { seed: 1 }), options: { criterion: 'reap', calib: 32 }, data: true },
  'unify-lower': {
    model: () =>
      projectModel(buildModel('mlp', { seed: 1 }), { bh: 1, bw: 4 }, { unify: 0.5, prune: 0.3, scope: 'layer' }).graph,
    options: {},
  },
};

const bytes = (g: Graph) => Buffer.from(encodeModel(g));

describe('every registered pass keeps the Pass contract', () => {
  let ctx: PassContext;
  before(() => {
    setRuntimeDefaults({ threads: 1 }); // training passes replay bit-identically at a fixed thread count
    ctx = { data: take(loadDataset('mnist', 'train'), 256) };
  });

  test('every registered pass has a case here', () => {
    assert.deepEqual(
      passNames().filter((n) => !(n in CASES)),
      [],
    );
  });

  for (const [name, c] of Object.entries(CASES)) {
    test(`${name}: input untouched, plan is JSON, replay is byte-identical`, async () => {
      const pass = await loadPass(name);
      const g = await c.model();
      const original = bytes(g);
      const c1 = c.data ? ctx : {};
      const plan = await pass.plan(g, resolveOptions(pass, c.options), c1);
      assert.ok(bytes(g).equals(original), 'plan() left the input as it was');
      const json = JSON.parse(JSON.stringify(plan));
      assert.deepEqual(json, plan, 'the plan is plain JSON (no typed arrays, no undefined-only fields lost)');
      const one = await pass.apply(g, plan, c1);
      assert.ok(bytes(g).equals(original), 'apply() left the input as it was');
      assert.ok(!bytes(one.graph).equals(original) || name === 'lop-merge', 'the pass changed something');
      const replay = await pass.apply(await c.model(), json, c1);
      assert.ok(
        bytes(replay.graph).equals(bytes(one.graph)),
        'the plan read back from JSON gives the same model, byte for byte',
      );
    });
  }
});
