/** The library entry point: facades leave their input alone, do what they say, and `reprune` self-imports. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as api from 'reprune';
import { inferenceMacs } from '../../src/demo/macs.js';
import { ttConvert } from '../../src/passes/tt/index.js';

const { buildModel, compile, f32, loadDataset, modelMetrics, prune, reparam } = api;

async function logits(g: api.Graph, x: Float32Array): Promise<Float32Array> {
  const r = await compile(g);
  const out = await r.run({ input: f32([2, 1, 28, 28], x) });
  return out[g.outputs[0]!.name]!.data as Float32Array;
}

const weights = (g: api.Graph) =>
  JSON.stringify([...g.initializers].map(([k, t]) => [k, Array.from(t.data as Float32Array).slice(0, 50)]));

describe('library API', () => {
  test('exports the documented entry points', () => {
    for (const name of [
      'loadOnnx',
      'saveOnnx',
      'Graph',
      'buildModel',
      'loadDataset',
      'evaluate',
      'trainModel',
      'train',
      'prune',
      'reparam',
      'unifyModel',
      'lopFinetune',
      'tedepr',
      'modelMetrics',
      'measureLatency',
      'buildReportHtml',
      'runDemo',
    ]) {
      assert.equal(typeof (api as Record<string, unknown>)[name], 'function', name);
    }
  });

  test('reparam tiletrans keeps the function and leaves the input alone', async () => {
    const g = buildModel('lenet5', { seed: 1 });
    const before = weights(g);
    const { graph, summary } = await reparam(g, { transform: 'tiletrans' });
    assert.equal(weights(g), before);
    assert.ok((summary.permuted as number) > 0);
    const x = new Float32Array(2 * 784).map((_, i) => (i % 13) / 13);
    const [a, b] = [await logits(g, x), await logits(graph, x)];
    a.forEach((v, i) => {
      assert.ok(Math.abs(v - b[i]!) < 1e-4, `logit ${i}`);
    });
  });

  test('prune tile reaches the sparsity; structured pruning shrinks to the MAC budget', async () => {
    const g = buildModel('lenet5', { seed: 2 });
    const before = weights(g);
    const tiled = await prune(g, { method: 'tile', sparsity: 0.6, tile: '8x8' });
    assert.equal(weights(g), before);
    assert.ok(Math.abs(tiled.summary.sparsity - 0.6) < 0.05);
    const l1 = await prune(g, { method: 'l1', ratio: 0.5 });
    assert.ok(modelMetrics(l1.graph).totals.params < 0.6 * modelMetrics(g).totals.params);
    const reap = await prune(g, { method: 'reap', budget: 0.6, data: loadDataset('mnist', 'train', { limit: 256 }) });
    assert.ok(modelMetrics(reap.graph).totals.macs <= 0.6 * modelMetrics(g).totals.macs);
    await assert.rejects(prune(g, { method: 'reap', ratio: 0.5 }), /calibration data/);
  });

  test('inference MACs agree with modelMetrics on dense models and count TT chains', () => {
    for (const arch of ['mlp', 'lenet5'] as const) {
      const g = buildModel(arch);
      assert.equal(inferenceMacs(g), modelMetrics(g).totals.macs, arch);
    }
    const tt = ttConvert(buildModel('lenet5'), { rank: 4, init: 'random', fcForm: 'chain' }).graph;
    // TT chains have no constant weight matrix; their MatMuls between reshaped activations and cores count as
    // activation MatMuls, at most what every MatMul/Gemm/Conv on the input's path costs.
    const ttMacs = modelMetrics(tt).totals;
    assert.equal(ttMacs.macs, ttMacs.activationMacs);
    assert.ok(ttMacs.macs > 0 && ttMacs.macs <= inferenceMacs(tt));
  });
});
