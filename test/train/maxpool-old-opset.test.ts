/**
 * Overlapping MaxPool windows (kernel 3, stride 2: SqueezeNet, ShuffleNetV2) in an opset-13 model: the gradient
 * cannot use ScatterElements(reduction=add) (opset 16), and must not block fine-tuning. One trainModel epoch runs
 * with a finite loss and moves the weights, and the gradient at the MaxPool input (read as the gradient of a zero
 * offset added there) matches central differences of the training graph's own loss.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../../src/data/dataset.js';
import { f32, type Tensor } from '../../src/ir/tensor.js';
import { NetBuilder } from '../../src/models/net-builder.js';
import { compile } from '../../src/runtime/session.js';
import { SeededRng } from '../../src/util/random.js';
import { buildTrainGraph, LABELS_INPUT } from '../../src/train/train-graph.js';
import { trainModel } from '../../src/train/trainer.js';

const B = 4;
const CLASSES = 5;

/** conv → BN → [+ offset] → MaxPool(3, stride 2) → ReLU → conv → ReLU → GAP → linear, opset 13. */
function net(withOffset: boolean) {
  const b = new NetBuilder('pool-13', 3, ['N', 3, 15, 15]);
  let x = b.bn(b.conv('input', 'conv1', { cin: 3, cout: 4, k: 3, pad: 1 }), 'bn1', 4);
  if (withOffset) x = b.add(x, b.g.addInitializer('offset', f32([B, 4, 15, 15]), true));
  x = b.relu(b.maxPool(x, 3, 2));
  x = b.relu(b.conv(x, 'conv2', { cin: 4, cout: 6, k: 3, pad: 1 }));
  const g = b.finish(b.linear(b.flatten(b.globalAvgPool(x)), 'fc', 6, CLASSES, 'logits'), CLASSES);
  g.opset = 13;
  return g;
}

function randomSet(n: number, rng: SeededRng): Dataset {
  const images = Float32Array.from({ length: n * 3 * 15 * 15 }, () => rng.normal());
  const labels = Int32Array.from({ length: n }, () => Math.floor(rng.next() * CLASSES));
  return { name: 'random', images, labels, count: n, shape: [3, 15, 15], numClasses: CLASSES };
}

test('an opset-13 net with overlapping MaxPool fine-tunes one epoch (finite loss, weights move)', async () => {
  const g = net(false);
  const res = await trainModel(g, randomSet(16, new SeededRng(1)), { epochs: 1, batchSize: B, lr: 0.05 });
  assert.equal(res.graph.opset, 13);
  assert.ok(Number.isFinite(res.history[0]!.loss), `loss ${res.history[0]!.loss}`);
  for (const p of ['conv1.weight', 'conv2.weight', 'fc.weight']) {
    const before = g.initializers.get(p)!.data as Float32Array;
    const after = res.graph.initializers.get(p)!.data as Float32Array;
    assert.ok(
      after.some((v, i) => v !== before[i]),
      `${p} did not change`,
    );
  }
});

test('opset 13: the gradient at the MaxPool input matches central differences', async () => {
  const g = net(true);
  const params = ['offset', 'conv1.weight', 'conv2.weight', 'fc.weight'];
  const tg = buildTrainGraph(g, { batch: B, params });
  assert.equal(tg.graph.opset, 13);
  assert.ok(!tg.graph.nodes.some((n) => n.opType === 'ScatterElements'));
  const run = await compile(tg.graph);
  const rng = new SeededRng(2);
  const ds = randomSet(B, rng);
  const labels = f32([B, CLASSES]);
  ds.labels.forEach((l, i) => {
    (labels.data as Float32Array)[i * CLASSES + l] = 1;
  });
  const feeds: Record<string, Tensor> = { input: f32([B, 3, 15, 15], ds.images), [LABELS_INPUT]: labels };
  for (const p of [...params, ...tg.stateInputs]) feeds[p] = g.initializers.get(p)!;
  const base = await run.run(feeds);
  assert.ok(Number.isFinite(Number(base[tg.loss]!.data[0])));
  const grad = base[tg.grads.offset!]!.data as Float32Array;
  assert.ok(
    grad.some((v) => v !== 0),
    'the MaxPool input gradient is all zero',
  );
  const eps = 1e-3;
  // Directions close to the gradient, each component jittered by ±50 %: a large signal for a small step, so neither
  // float32 rounding of the loss nor a max crossing over to another window element (a kink) drowns it, while a
  // wrong or missing gradient component (e.g. one of two overlapping windows) still shows.
  for (let k = 0; k < 3; k++) {
    const v = Float32Array.from(grad, (gv) => gv * (1 + rng.uniform(-0.5, 0.5)) * 100);
    const shifted = async (sign: number) => {
      const off = f32(
        [B, 4, 15, 15],
        Float32Array.from(v, (d) => sign * eps * d),
      );
      return Number((await run.run({ ...feeds, offset: off }, [tg.loss]))[tg.loss]!.data[0]);
    };
    const numeric = ((await shifted(1)) - (await shifted(-1))) / (2 * eps);
    const analytic = grad.reduce((s, gv, i) => s + gv * v[i]!, 0);
    const tol = 1e-2 * Math.max(Math.abs(analytic), Math.abs(numeric));
    assert.ok(Math.abs(numeric - analytic) <= tol, `analytic ${analytic} vs numeric ${numeric}`);
  }
});
