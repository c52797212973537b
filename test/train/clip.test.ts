import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../src/data/sources.js';
import { buildModel } from '../../src/models/index.js';
import { clipGradNorm, type Param } from '../../src/train/optim/index.js';
import { trainModel } from '../../src/train/trainer.js';

const param = (name: string, grad: number[]): Param => ({
  name,
  data: new Float32Array(grad.length),
  grad: Float32Array.from(grad),
});

const norm = (ps: Param[]) => Math.sqrt(ps.reduce((s, p) => s + p.grad.reduce((t, g) => t + g * g, 0), 0));

test('clipGradNorm scales all gradients together to the bound and returns the norm before', () => {
  const ps = [param('a', [3, 0]), param('b', [0, 4])]; // ‖g‖ = 5
  assert.equal(clipGradNorm(ps, 1), 5);
  assert.ok(Math.abs(norm(ps) - 1) < 1e-6);
  assert.ok(Math.abs(ps[0]!.grad[0]! / ps[1]!.grad[1]! - 3 / 4) < 1e-6); // direction kept
});

test('clipGradNorm leaves gradients under the bound (and a NaN norm) as they are', () => {
  const small = [param('a', [0.3, 0.4])];
  assert.ok(Math.abs(clipGradNorm(small, 1) - 0.5) < 1e-6);
  assert.deepEqual([...small[0]!.grad], [Math.fround(0.3), Math.fround(0.4)]);
  const broken = [param('a', [Number.NaN, 1])];
  assert.ok(Number.isNaN(clipGradNorm(broken, 1)));
  assert.equal(broken[0]!.grad[1], 1);
});

test('trainModel with clipGradNorm: one SGD step moves the weights by at most lr·bound in L2', async () => {
  const g = buildModel('lenet5', { seed: 1 });
  const ds = loadDataset('mnist', 'train', { limit: 32 });
  const [lr, bound] = [0.5, 0.01];
  const res = await trainModel(g, ds, {
    epochs: 1,
    batchSize: 32,
    lr,
    clipGradNorm: bound,
    optimizer: { kind: 'sgd', momentum: 0 },
    schedule: 'none',
  });
  let sq = 0;
  for (const [k, t] of g.initializers) {
    const after = res.graph.initializers.get(k)!.data as Float32Array;
    (t.data as Float32Array).forEach((v, i) => {
      sq += (after[i]! - v) ** 2;
    });
  }
  const moved = Math.sqrt(sq);
  assert.ok(moved > 0.5 * lr * bound, `moved ${moved}`); // the unclipped gradient of a fresh net is far above 0.01
  assert.ok(moved <= lr * bound * 1.001, `moved ${moved} > ${lr * bound}`);
});
