import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionBlocks } from '../../src/analysis/attention-heads.js';
import { removeHeads } from '../../src/analysis/attention-heads-apply.js';
import { take } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/sources.js';
import type { Graph } from '../../src/ir/graph.js';
import { f32, type Tensor } from '../../src/ir/tensor.js';
import { buildModel } from '../../src/models/index.js';
import { groupGrams } from '../../src/passes/cut/behaviours.js';
import { groupStatuses } from '../../src/passes/cut/groups.js';
import { layerProblem, pruneStructured } from '../../src/passes/cut/prune.js';
import { headGrams, pruneHeads } from '../../src/passes/heads/prune-heads.js';
import { reapHeads } from '../../src/passes/heads/reap-heads.js';
import { reapFast, reapNaive } from '../../src/passes/reap/index.js';
import { compile } from '../../src/runtime/session.js';

const calib = () => take(loadDataset('mnist', 'train', { limit: 64 }), 64);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The value `name` of `g` on a batch of MNIST images (the node names survive pruning). */
async function valueOn(g: Graph, name: string, x: Tensor): Promise<Float32Array> {
  const probe = g.clone(true);
  probe.outputs = [{ name, dtype: 'float32' }];
  return (await (await compile(probe)).run({ input: x }))[name]!.data as Float32Array;
}

describe('REAP on transformers', () => {
  test('MLP neurons of vit-small (post-GELU behaviours, tokens sampled): fast and naive REAP agree', async () => {
    const g = buildModel('vit-small', { seed: 1 });
    const grams = await groupGrams(g, calib(), { samples: 64, positions: 8 });
    const st = groupStatuses(g, { behaviour: true }).find((s) => s.key === 'blocks.1.mlp.fc1.matmul')!;
    assert.equal(st.value, 'blocks.1.mlp.act.mul_half_out');
    const p = layerProblem(g, st.group, grams.get(st.key)!);
    assert.ok(p.withConst, 'the fc2 bias Add absorbs the constant behaviour');
    const fast = reapFast(p, 40);
    const naive = reapNaive(p, 40, { mode: 'per-step' });
    assert.deepEqual(fast.removed, naive.removed);
    assert.deepEqual(fast.keep, naive.keep);
    const scale = Math.max(...naive.transform.data.map(Math.abs));
    assert.ok(maxAbsDiff(fast.transform.data, naive.transform.data) <= 1e-6 * scale);
    assert.ok(maxAbsDiff(fast.constRow, naive.constRow) <= 1e-6 * Math.max(1, ...naive.constRow.map(Math.abs)));
  });

  test('grouped REAP with one-column heads is REAP (per-step naive): same selection, same fold', async () => {
    const g = buildModel('vit-small', { seed: 2 });
    const grams = await groupGrams(g, calib(), { samples: 32, positions: 8 });
    const st = groupStatuses(g, { behaviour: true }).find((s) => s.key === 'blocks.0.mlp.fc1.matmul')!;
    const p = layerProblem(g, st.group, grams.get(st.key)!);
    const grouped = reapHeads(p, 1, 30);
    const naive = reapNaive(p, 30, { mode: 'per-step' });
    assert.deepEqual(grouped.removed, naive.removed);
    const scale = Math.max(...naive.transform.data.map(Math.abs));
    assert.ok(maxAbsDiff(grouped.transform.data, naive.transform.data) <= 1e-6 * scale);
  });

  test('REAP head pruning: the projection output is closer to dense than dropping the same heads unreconstructed', async () => {
    const g = buildModel('vit-small', { seed: 3 });
    const ds = calib();
    const grams = await headGrams(g, ds, { samples: 64, positions: 49 });
    const reap = pruneHeads(g, { method: 'reap', ratio: 0.25, grams, ridge: 1e-9 });
    assert.deepEqual(
      Object.values(reap.heads),
      [0, 1, 2, 3].map(() => [4, 3]),
    );
    // The same heads cut without a fold: the REAP graph's own choice, with the dense projection.
    const b = attentionBlocks(g)[0]!;
    const keptQ = reap.graph.initializers.get('blocks.0.attn.q.weight')!.data as Float32Array;
    const denseQ = g.initializers.get('blocks.0.attn.q.weight')!.data as Float32Array;
    const kept = [0, 1, 2, 3].filter((h) => [0, 1, 2].some((k) => keptQ[k * 16] === denseQ[h * 16]));
    assert.equal(kept.length, 3);
    const plain = g.clone(true);
    removeHeads(plain, b, kept);
    const x = f32([64, 1, 28, 28], ds.images.slice(0, 64 * 784));
    const out = 'blocks.0.attn.proj.add_out';
    const want = await valueOn(g, out, x);
    const errReap = maxAbsDiff(await valueOn(reap.graph, out, x), want);
    const errPlain = maxAbsDiff(await valueOn(plain, out, x), want);
    assert.ok(errReap < errPlain, `REAP ${errReap} vs plain ${errPlain}`);
    const logits = (await (await compile(reap.graph)).run({ input: x })).logits!;
    assert.deepEqual(logits.dims, [64, 10]);
  });

  test('REAP on 30% of the MLP neurons of vit-small: folds into fc2 and its bias, a valid ORT model', async () => {
    const g = buildModel('vit-small', { seed: 4 });
    const grams = await groupGrams(g, calib(), { samples: 64, positions: 8 });
    const res = pruneStructured(g, { method: 'reap', ratio: 0.3, grams });
    assert.equal(Object.keys(res.channels).length, 4);
    assert.deepEqual(res.graph.initializers.get('blocks.0.mlp.fc2.weight')!.dims, [90, 64]);
    const before = g.initializers.get('blocks.0.mlp.fc2.bias')!.data as Float32Array;
    const after = res.graph.initializers.get('blocks.0.mlp.fc2.bias')!.data as Float32Array;
    assert.ok(maxAbsDiff(before, after) > 0, 'the constant behaviour folded into the bias');
  });
});
