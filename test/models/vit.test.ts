import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../src/data/sources.js';
import { subset } from '../../src/data/dataset.js';
import { f32, numel } from '../../src/ir/tensor.js';
import { evaluateReference } from '../../src/ir/reference/index.js';
import { buildModel } from '../../src/models/index.js';
import { compile } from '../../src/runtime/session.js';
import { trainModel } from '../../src/train/trainer.js';
import { SeededRng } from '../../src/util/random.js';

describe('vit-small', () => {
  test('is an opset-17 export-shaped graph: LayerNormalization, Erf GELU, 4-head Reshape constants', () => {
    const g = buildModel('vit-small');
    assert.equal(g.opset, 17);
    const ops = (op: string) => g.nodes.filter((n) => n.opType === op).length;
    assert.equal(ops('LayerNormalization'), 9);
    assert.equal(ops('Erf'), 4);
    assert.equal(ops('Softmax'), 4);
    assert.equal(ops('MatMul'), 4 * 8);
    assert.deepEqual([...g.initializers.get('blocks.0.attn.split_heads')!.data].map(Number), [0, 0, 4, 16]);
    assert.deepEqual(g.initializers.get('blocks.2.attn.q.weight')!.dims, [64, 64]);
    assert.deepEqual(g.initializers.get('blocks.2.mlp.fc1.weight')!.dims, [64, 128]);
  });

  test('ORT logits equal the float64 reference evaluator', async () => {
    const g = buildModel('vit-small', { seed: 2 });
    const rng = new SeededRng(5);
    const x = f32(
      [3, 1, 28, 28],
      Float32Array.from({ length: numel([3, 1, 28, 28]) }, () => rng.normal()),
    );
    const got = (await (await compile(g)).run({ input: x })).logits!;
    const want = evaluateReference(g, { input: x }).logits!;
    assert.deepEqual(got.dims, [3, 10]);
    let err = 0;
    let scale = 0;
    for (let i = 0; i < want.data.length; i++) {
      err = Math.max(err, Math.abs(Number(got.data[i]) - want.data[i]!));
      scale = Math.max(scale, Math.abs(want.data[i]!));
    }
    assert.ok(err <= 1e-4 * scale + 1e-5, `max|Δ| ${err} (scale ${scale})`);
  });

  test('training with its recipe lowers the loss on 128 MNIST images', async () => {
    const ds = subset(
      loadDataset('mnist', 'train', { limit: 128 }),
      Array.from({ length: 128 }, (_, i) => i),
    );
    const res = await trainModel(buildModel('vit-small'), ds, {
      epochs: 6,
      batchSize: 32,
      lr: 1e-3,
      optimizer: { kind: 'adamw', weightDecay: 0.05 },
      seed: 1,
    });
    const first = res.history[0]!.loss;
    const last = res.history.at(-1)!.loss;
    assert.ok(first > 2, `initial loss ${first}`);
    assert.ok(last < 0.9 * first, `loss ${first} → ${last}`);
  });
});
