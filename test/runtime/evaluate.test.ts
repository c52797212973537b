import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../src/models/index.js';
import { loadDataset } from '../../src/data/sources.js';
import { evaluate, crossEntropyAndHits } from '../../src/runtime/evaluate.js';
import { ReproError } from '../../src/util/errors.js';

const mnist = () => loadDataset('mnist', 'test');

describe('evaluate', () => {
  test('untrained lenet5 on 1000 MNIST test samples: chance accuracy, loss ≈ ln 10', async () => {
    const r = await evaluate(buildModel('lenet5', { seed: 0 }), mnist(), { limit: 1000 });
    assert.equal(r.samples, 1000);
    assert.ok(r.accuracy > 0.02 && r.accuracy < 0.25, `accuracy ${r.accuracy}`);
    assert.ok(r.loss > 2.1 && r.loss < 2.6, `loss ${r.loss}`);
    assert.ok(r.msPerBatch > 0);
  });

  test('rank-2 model (mlp) gets flattened samples; batch size does not change the result', async () => {
    const g = buildModel('mlp', { seed: 2 });
    const a = await evaluate(g, mnist(), { limit: 300, batchSize: 256 });
    const b = await evaluate(g, mnist(), { limit: 300, batchSize: 7 });
    assert.equal(a.samples, 300);
    assert.equal(a.accuracy, b.accuracy);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-5);
    assert.ok(a.loss > 2.0 && a.loss < 2.7);
  });

  test('fixed batch size: batches of exactly b, last one padded, same numbers as symbolic', async () => {
    const g = buildModel('lenet5', { seed: 5 });
    const fixed = g.clone();
    fixed.inputs[0]!.shape = [64, 1, 28, 28];
    fixed.outputs[0]!.shape = [64, 10];
    const a = await evaluate(g, mnist(), { limit: 150 });
    const b = await evaluate(fixed, mnist(), { limit: 150, batchSize: 1000 });
    assert.equal(b.samples, 150);
    assert.equal(a.accuracy, b.accuracy);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-5);
  });

  test('data that does not fit the model input is a ReproError naming input, shapes', async () => {
    const g = buildModel('lenet5');
    g.inputs[0]!.shape = ['N', 3, 32, 32];
    await assert.rejects(
      evaluate(g, mnist(), { limit: 10 }),
      (e: unknown) =>
        e instanceof ReproError && /model input 'input' has shape \[N, 3, 32, 32\].*\[1, 28, 28\]/.test(e.message),
    );
    const m = buildModel('mlp');
    m.inputs[0]!.shape = ['N', 100];
    await assert.rejects(
      evaluate(m, mnist(), { limit: 10 }),
      (e: unknown) => e instanceof ReproError && /'input' has shape \[N, 100\].*784 values/.test(e.message),
    );
    const r3 = buildModel('lenet5');
    r3.inputs[0]!.shape = ['N', 28, 28];
    await assert.rejects(evaluate(r3, mnist(), { limit: 10 }), ReproError);
  });

  test('too few output classes for the labels is a ReproError', async () => {
    await assert.rejects(
      evaluate(buildModel('mlp', { numClasses: 5 }), mnist(), { limit: 10 }),
      (e: unknown) => e instanceof ReproError && /5 classes/.test(e.message),
    );
  });

  test('cross-entropy is exact and stable for huge logits', () => {
    const logits = Float32Array.from([1e4, 0, -1e4, 0, 0, 0, -1e4, 1e4, 0]);
    const { lossSum, hits } = crossEntropyAndHits(logits, Int32Array.from([1, 2, 1]), 3, 3);
    // Row 1: −log softmax[1] = 1e4 (wrong, confident); row 2: uniform → ln 3 (tie → class 0, wrong);
    // row 3: right and confident → 0. A naive exp(1e4) would overflow to Infinity/NaN.
    assert.ok(Math.abs(lossSum - (1e4 + Math.log(3))) < 1e-6);
    assert.equal(hits, 1);
  });
});
