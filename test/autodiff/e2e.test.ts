import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32, numel, type Tensor } from '../../src/ir/tensor.js';
import { inferShapes } from '../../src/ir/shape/index.js';
import { buildModel, type ZooArch } from '../../src/models/index.js';
import { compile } from '../../src/runtime/session.js';
import { SeededRng } from '../../src/util/random.js';
import { gradientGraph } from '../../src/autodiff/index.js';
import { directionalCheck } from './gradcheck.js';
import { trainableParams } from '../../src/train/params.js';

function randn(rng: SeededRng, dims: number[], s = 1): Tensor {
  return f32(
    dims,
    Float32Array.from({ length: numel(dims) }, () => rng.normal() * s),
  );
}

/**
 * Cross-entropy as the harness' Σ y·r: y = LogSoftmax(logits), r = −onehot/N. The data batch becomes a constant
 * initializer `input`, so only parameters are perturbed.
 */
function withCrossEntropy(g: Graph, logits: string, batch: number, classes: number, rng: SeededRng): void {
  const r = new Float32Array(batch * classes);
  for (let n = 0; n < batch; n++) r[n * classes + rng.int(classes)] = -1 / batch;
  g.add('LogSoftmax', [logits], { axis: A.int(1) }, { outputs: ['y'] });
  g.addInitializer('r', f32([batch, classes], r), true);
  g.add('Mul', ['y', 'r'], {}, { outputs: ['yr'] });
  g.add('ReduceSum', ['yr'], { keepdims: A.int(0) }, { outputs: ['loss'] });
}

/** conv → BN → ReLU → MaxPool → Flatten → Gemm, batch 4 of 1×8×8. */
function smallConvNet(rng: SeededRng): Graph {
  const g = new Graph();
  g.addInitializer('input', randn(rng, [4, 1, 8, 8]), true);
  g.addInitializer('conv.weight', randn(rng, [3, 1, 3, 3], 0.5), true);
  g.addInitializer('conv.bias', randn(rng, [3], 0.1), true);
  g.addInitializer('bn.weight', f32([3], [1, 0.8, 1.2]), true);
  g.addInitializer('bn.bias', f32([3], [0.1, -0.1, 0]), true);
  g.addInitializer('bn.running_mean', f32([3], [0, 0, 0]), true);
  g.addInitializer('bn.running_var', f32([3], [1, 1, 1]), true);
  g.addInitializer('fc.weight', randn(rng, [5, 48], 0.2), true);
  g.addInitializer('fc.bias', randn(rng, [5], 0.1), true);
  const [c] = g.add('Conv', ['input', 'conv.weight', 'conv.bias'], { pads: A.ints([1, 1, 1, 1]) });
  const [b] = g.add(
    'BatchNormalization',
    [c!, 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'],
    { momentum: A.float(0.9) },
    { outputs: ['bn_out'] },
  );
  const [r] = g.add('Relu', [b!]);
  const [p] = g.add('MaxPool', [r!], { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) });
  const [f] = g.add('Flatten', [p!]);
  g.add('Gemm', [f!, 'fc.weight', 'fc.bias'], { transB: A.int(1) }, { outputs: ['logits'] });
  withCrossEntropy(g, 'logits', 4, 5, rng);
  g.outputs = [{ name: 'loss', dtype: 'float32' }];
  inferShapes(g);
  return g;
}

const PARAMS = ['conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'fc.weight', 'fc.bias'];

describe('end-to-end gradients', () => {
  test('conv-BN-relu-pool-flatten-gemm + log-softmax loss matches finite differences', async () => {
    const rng = new SeededRng(7);
    const g = smallConvNet(rng);
    const res = await directionalCheck(g, PARAMS, rng, { eps: 1e-3, rtol: 1e-2, directions: 3 });
    res.push(...(await directionalCheck(g, PARAMS, rng, { eps: 1e-3, rtol: 1e-2, mode: 'gradient' })));
    for (const r of res) assert.ok(r.err <= r.tol, `analytic ${r.analytic} vs numeric ${r.numeric}`);
  });

  test('BatchNorm running statistics follow PyTorch (momentum, unbiased variance)', async () => {
    const rng = new SeededRng(8);
    const g = smallConvNet(rng);
    const tg = gradientGraph(g, { loss: 'loss', wrt: PARAMS });
    assert.deepEqual(tg.stateInputs.sort(), ['bn.running_mean', 'bn.running_var']);
    // Expose the conv output to compute the batch statistics independently.
    const conv = tg.graph.nodes.find((n) => n.opType === 'Conv')!.outputs[0]!;
    tg.graph.outputs.push({ name: conv, dtype: 'float32' });
    const feeds: Record<string, Tensor> = {};
    for (const p of [...PARAMS, ...tg.stateInputs]) feeds[p] = g.initializers.get(p)!;
    const out = await (await compile(tg.graph)).run(feeds);
    const x = out[conv]!.data as Float32Array;
    const rm = out[tg.stateUpdates['bn.running_mean']!]!.data as Float32Array;
    const rv = out[tg.stateUpdates['bn.running_var']!]!.data as Float32Array;
    const M = 4 * 64;
    for (let ch = 0; ch < 3; ch++) {
      let s = 0;
      let s2 = 0;
      for (let n = 0; n < 4; n++) for (let i = 0; i < 64; i++) s += x[(n * 3 + ch) * 64 + i]!;
      const mean = s / M;
      for (let n = 0; n < 4; n++) for (let i = 0; i < 64; i++) s2 += (x[(n * 3 + ch) * 64 + i]! - mean) ** 2;
      assert.ok(Math.abs(rm[ch]! - 0.1 * mean) < 1e-5, `running mean ${rm[ch]} vs ${0.1 * mean}`);
      assert.ok(Math.abs(rv[ch]! - (0.9 + (0.1 * s2) / (M - 1))) < 1e-4, `running var ${rv[ch]}`);
    }
  });

  test('frozen BatchNorm (inference statistics) gradients match finite differences', async () => {
    const rng = new SeededRng(9);
    const g = smallConvNet(rng);
    g.initializers.set('bn.running_mean', f32([3], [0.1, -0.2, 0.3]));
    g.initializers.set('bn.running_var', f32([3], [0.5, 1.5, 2]));
    const tg = gradientGraph(g, { loss: 'loss', wrt: PARAMS, keepOutputs: ['y'], frozenBatchNorm: true });
    assert.deepEqual(tg.stateUpdates, {});
    const res = await directionalCheck(g, PARAMS, rng, {
      eps: 1e-3,
      rtol: 1e-2,
      frozenBatchNorm: true,
      mode: 'gradient',
    });
    for (const r of res) assert.ok(r.err <= r.tol, `analytic ${r.analytic} vs numeric ${r.numeric}`);
  });

  // Real zoo graphs: ReLU kinks and max-pool ties put a floor of ~1% under any float32 finite difference, so
  // these check each parameter tensor along its own gradient direction with a 2% tolerance...
  for (const arch of ['lenet5', 'resnet-small', 'vgg-small'] as ZooArch[]) {
    test(`zoo ${arch}: every parameter's gradient matches finite differences`, async () => {
      const { m, params, rng } = zooLossGraph(arch, false);
      const res = await directionalCheck(m, params, rng, { eps: 1e-3, rtol: 2e-2, mode: 'gradient' });
      for (const r of res)
        assert.ok(r.err <= r.tol, `${arch} ${r.param}: analytic ${r.analytic} vs numeric ${r.numeric}`);
    });
  }
  // ...and the same graphs with the kinks smoothed (ReLU → Tanh, MaxPool → AveragePool) are checked to 0.2%,
  // which catches small systematic errors (a missed broadcast, a wrong output_padding row) the first test cannot.
  for (const arch of ['lenet5', 'resnet-small', 'vgg-small'] as ZooArch[]) {
    test(`zoo ${arch} with smooth activations: gradients match to 0.2%`, async () => {
      const { m, params, rng } = zooLossGraph(arch, true);
      const res = await directionalCheck(m, params, rng, { eps: 1e-3, rtol: 2e-3, mode: 'gradient' });
      for (const r of res)
        assert.ok(r.err <= r.tol, `${arch} ${r.param}: analytic ${r.analytic} vs numeric ${r.numeric}`);
    });
  }
  // The transformer: LayerNormalization, Erf-GELU, Softmax over scores and the head-split Reshape/Transpose chain.
  test('zoo vit-small (smooth everywhere): every parameter gradient matches to 0.2%', async () => {
    const { m, params, rng } = zooLossGraph('vit-small', false);
    const weights = params.filter((p) => trainableParams(m).includes(p));
    assert.equal(weights.length, 3 + 4 * 16 + 4); // patch w, b, pos_embed; 16 per block; norm, head
    const res = await directionalCheck(m, weights, rng, { eps: 1e-3, rtol: 2e-3, mode: 'gradient', maxGroups: 12 });
    for (const r of res)
      assert.ok(r.err <= r.tol, `vit-small ${r.param}: analytic ${r.analytic} vs numeric ${r.numeric}`);
  });
});

/** A zoo model on a fixed random batch of 2 with the cross-entropy loss; optionally with smooth activations. */
function zooLossGraph(arch: ZooArch, smooth: boolean): { m: Graph; params: string[]; rng: SeededRng } {
  const rng = new SeededRng(11);
  const m = buildModel(arch, { seed: 3 });
  const batch = 2;
  m.initializers.set('input', randn(rng, [batch, 1, 28, 28]));
  m.inputs = m.inputs.filter((v) => v.name !== 'input');
  if (smooth) {
    for (const n of m.nodes) {
      if (n.opType === 'Relu') n.opType = 'Tanh';
      if (n.opType === 'MaxPool') n.opType = 'AveragePool';
    }
  }
  const params = [...m.initializers.keys()].filter((k) => k !== 'input' && !k.includes('running'));
  withCrossEntropy(m, 'logits', batch, 10, rng);
  m.outputs = [{ name: 'loss', dtype: 'float32' }];
  inferShapes(m);
  return { m, params, rng };
}
