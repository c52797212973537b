import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../src/data/sources.js';
import { f32 } from '../../src/ir/tensor.js';
import { buildModel } from '../../src/models/index.js';
import { addCrossEntropy, addKdLoss, addProximalPenalty, addSpKdLoss, weightedSum } from '../../src/train/losses.js';
import { trainModel } from '../../src/train/trainer.js';

const ds = () => loadDataset('mnist', 'train', { limit: 128 });
const norm = (w: Float32Array) => Math.sqrt(w.reduce((a, v) => a + v * v, 0));

test('ADMM-style proximal penalty with Z/U fed per step pulls the weight towards Z', async () => {
  const g = buildModel('mlp');
  const dims = g.initializers.get('fc2.weight')!.dims;
  const zero = f32(dims);
  const base = { epochs: 2, batchSize: 32, lr: 0.01, optimizer: { kind: 'sgd' as const, momentum: 0.9 } };
  const plain = await trainModel(g, ds(), base);
  let fed = 0;
  const prox = await trainModel(g, ds(), {
    ...base,
    loss: (ctx) => {
      const ce = addCrossEntropy(ctx.g, ctx.logits, ctx.labels);
      const p = addProximalPenalty(ctx.g, 'fc2.weight', 10, { z: 'Z', u: 'U' });
      return weightedSum(ctx.g, [{ value: ce }, { value: p.value }]);
    },
    extraFeeds: () => {
      fed++;
      return { Z: zero, U: zero };
    },
  });
  assert.equal(fed, 8);
  const w = (r: typeof plain) => r.graph.initializers.get('fc2.weight')!.data as Float32Array;
  assert.ok(norm(w(prox)) < 0.9 * norm(w(plain)), `${norm(w(prox))} vs ${norm(w(plain))}`);
});

test('KD + SP-KD losses train with teacher values fed by extraFeeds', async () => {
  const g = buildModel('mlp');
  const res = await trainModel(g, ds(), {
    epochs: 1,
    batchSize: 32,
    lr: 0.01,
    loss: (ctx) =>
      weightedSum(ctx.g, [
        { value: addCrossEntropy(ctx.g, ctx.logits, ctx.labels) },
        { value: addKdLoss(ctx.g, ctx.logits, 'teacher_logits', 4), weight: 0.5 },
        {
          value: addSpKdLoss(ctx.g, [{ student: 'fc1_out', teacher: 'teacher_fc1', teacherDims: [ctx.batch, 50] }]),
          weight: 100,
        },
      ]),
    // A fake teacher: logits that favour the true class, random-ish features.
    extraFeeds: ({ batch }) => {
      const t = new Float32Array(batch.n * 10);
      batch.y.forEach((c, i) => {
        t[i * 10 + c] = 5;
      });
      const f = Float32Array.from({ length: batch.n * 50 }, (_, i) => Math.sin(i));
      return { teacher_logits: f32([batch.n, 10], t), teacher_fc1: f32([batch.n, 50], f) };
    },
  });
  assert.equal(res.history.length, 1);
  assert.ok(Number.isFinite(res.history[0]!.loss) && res.history[0]!.loss > 0);
});
