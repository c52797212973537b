import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../src/data/sources.js';
import { take } from '../../src/data/dataset.js';
import { buildModel } from '../../src/models/index.js';
import { STATE } from '../../src/passes/unify/blocks.js';
import { gradualShare, unifyModel } from '../../src/passes/unify/admm.js';
import type { Graph } from '../../src/ir/graph.js';
import { layerMatrix, unifyLayers } from '../../src/passes/unify/layers.js';

test('ADMM: residual falls over rounds; the result has exactly the requested block structure', async () => {
  const ds = take(loadDataset('mnist', 'train'), 768);
  const model = buildModel('mlp', { seed: 1 });
  const block = { bh: 1, bw: 4 };
  const res = await unifyModel(model, ds, {
    block,
    unify: 0.5,
    prune: 0.3,
    scope: 'layer',
    mode: 'admm',
    admmRounds: 4,
    epochsPerRound: 1,
    retrainEpochs: 1,
    rho: 0.5,
    rhoGrowth: 2,
    lr: 0.05,
    batchSize: 64,
  });
  const r = res.rounds.map((x) => x.residual);
  assert.equal(r.length, 4);
  assert.ok(r[3]! < r[0]!, `residual should fall: ${r.join(', ')}`);
  assertExactStructure(res, model, block);
});

/** The unified model holds exactly round(0.3·n) pruned (zero) and round(0.5·n) unified (one magnitude) blocks per layer. */
function assertExactStructure(
  res: Awaited<ReturnType<typeof unifyModel>>,
  model: Graph,
  block: { bh: number; bw: number },
) {
  const meta = JSON.parse(res.graph.metadata['reprune.unify']!) as { layers: Record<string, number[]> };
  for (const l of unifyLayers(res.graph, block)) {
    const states = meta.layers[l.view.weight]!;
    const m = layerMatrix(res.graph, l);
    const orig = layerMatrix(model, l);
    const np = states.filter((s) => s === STATE.pruned).length,
      nu = states.filter((s) => s === STATE.unified).length;
    assert.equal(np, Math.round(0.3 * l.grid.count), `${l.view.weight} pruned count`);
    assert.equal(nu, Math.min(l.grid.count - np, Math.round(0.5 * l.grid.count)), `${l.view.weight} unified count`);
    for (let b = 0; b < l.grid.count; b++) {
      const r0 = Math.floor(b / l.grid.blockCols),
        c0 = (b % l.grid.blockCols) * 4;
      const vals: number[] = [];
      for (let c = c0; c < Math.min(c0 + 4, l.grid.cols); c++) vals.push(m[r0 * l.grid.cols + c]!);
      if (states[b] === STATE.pruned)
        assert.ok(
          vals.every((v) => v === 0),
          `pruned block ${b} of ${l.view.weight} is not zero`,
        );
      if (states[b] === STATE.unified) {
        const mag = Math.abs(vals[0]!);
        assert.ok(
          vals.every((v) => Math.abs(v) === mag),
          `unified block ${b} of ${l.view.weight} has several magnitudes`,
        );
        assert.ok(mag > 0);
      }
    }
    assert.ok(orig.length === m.length);
  }
  assert.equal(res.accounting.prunedBlocks + res.accounting.unifiedBlocks > 0, true);
  assert.ok(res.accounting.bits < res.accounting.denseBits);
}

test('gradual: the cubic ramp grows below 1, and the result has exactly the requested structure after equal epochs', async () => {
  const shares = [1, 2, 3].map((k) => gradualShare(k, 3));
  assert.deepEqual(
    shares.map((x) => x.toFixed(4)),
    [1 - 0.75 ** 3, 1 - 0.5 ** 3, 1 - 0.25 ** 3].map((x) => x.toFixed(4)),
  );
  const ds = take(loadDataset('mnist', 'train'), 768);
  const model = buildModel('mlp', { seed: 1 });
  const before = model.clone();
  const block = { bh: 1, bw: 4 };
  const o = {
    block,
    unify: 0.5,
    prune: 0.3,
    scope: 'layer' as const,
    admmRounds: 3,
    retrainEpochs: 1,
    lr: 0.05,
    batchSize: 64,
  };
  const res = await unifyModel(model, ds, { ...o, mode: 'gradual' });
  assert.equal(res.epochs, 4);
  assert.equal(res.rounds.length, 0, 'gradual has no ADMM rounds');
  assertExactStructure(res, model, block);
  for (const [name, t] of before.initializers)
    assert.deepEqual(model.initializers.get(name)!.data, t.data, `${name} mutated`);
  const oneshot = await unifyModel(model, ds, { ...o, mode: 'oneshot' });
  assert.equal(oneshot.epochs, 4, 'one-shot gets the same epochs');
  const w = (g: Graph) => g.initializers.get(unifyLayers(g, block)[0]!.view.weight)!.data;
  assert.notDeepEqual(w(res.graph), w(oneshot.graph));
});

test("unify's default 'auto' trains gradually from 60 % pruned blocks and one-shot below; the report names the mode", async () => {
  const { resolveUnifyMode, UNIFY_SPEC } = await import('../../src/passes/unify/spec.js');
  assert.equal(UNIFY_SPEC.options.mode.default, 'auto');
  assert.equal(resolveUnifyMode({ mode: 'auto', prune: 0.3 }), 'oneshot');
  assert.equal(resolveUnifyMode({ mode: 'auto', prune: 0.6 }), 'gradual');
  assert.equal(resolveUnifyMode({ mode: 'auto', prune: 0.85 }), 'gradual');
  assert.equal(resolveUnifyMode({ mode: 'admm', prune: 0.85 }), 'admm');
  const { runPass } = await import('../../src/api/passes.js');
  const ds = take(loadDataset('mnist', 'train'), 256);
  const r = await runPass(
    'unify',
    buildModel('mlp', { seed: 2 }),
    { block: '1x4', unify: 0.1, prune: 0.7, admmRounds: 1 },
    { data: ds },
  );
  assert.equal((r.report as { mode: string }).mode, 'gradual');
  assert.equal((r.report as { epochs: number }).epochs, 2);
});
