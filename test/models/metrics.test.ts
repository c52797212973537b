import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel, describeModel, ZOO_ARCHS } from '../../src/models/index.js';
import { modelMetrics } from '../../src/analysis/metrics.js';
import { measureLatency } from '../../src/report/latency.js';
import { Graph } from '../../src/ir/graph.js';
import { A } from '../../src/ir/attrs.js';
import { f32 } from '../../src/ir/tensor.js';
import { encodeModel } from '../../src/onnx/index.js';

/** Hand-computed: weights+biases (BN γ/β included, BN running stats excluded) and MACs per sample. */
const EXPECTED: Record<string, { params: number; macs: number; state: number; layers: number }> = {
  mlp: {
    params: 784 * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10,
    macs: 784 * 300 + 300 * 100 + 100 * 10,
    state: 0,
    layers: 3,
  },
  lenet5: {
    params: 156 + 2416 + 48120 + 10164 + 850,
    // conv1: 28·28 positions × 6·25; conv2: 10·10 × 16·6·25; fc 400·120 + 120·84 + 84·10
    macs: 28 * 28 * 150 + 10 * 10 * 2400 + 48000 + 10080 + 840,
    state: 0,
    layers: 5,
  },
  'vgg-small': { params: 1_145_002, macs: 29_984_256, state: 896, layers: 9 },
  'resnet-small': { params: 272_186, macs: 31_021_952, state: 1568, layers: 22 },
  'alexnet-small': { params: 1_998_026, macs: 26_761_728, state: 0, layers: 8 },
  // Weighted layers only: patch Conv + 4 × (q, k, v, proj, fc1, fc2) + head; q·kᵀ and ·v are not weight MACs.
  // Weight layers plus attention's q·kᵀ and ·v (2·T²·d per block, T = 49 tokens, d = 64).
  'vit-small': {
    params: 138_890,
    macs: 50_176 + 4 * 49 * (4 * 64 * 64 + 2 * 64 * 128) + 640 + 4 * 2 * 49 * 49 * 64,
    state: 0,
    layers: 26,
  },
};

describe('model metrics', () => {
  test('hand-computed totals for mlp and lenet5', () => {
    assert.equal(EXPECTED.mlp!.params, 266_610);
    assert.equal(EXPECTED.lenet5!.params, 61_706);
    assert.equal(EXPECTED.mlp!.macs, 266_200);
    assert.equal(EXPECTED.lenet5!.macs, 416_520);
  });

  for (const arch of ZOO_ARCHS) {
    test(`${arch}: params, MACs, BN state and bytes`, () => {
      const g = buildModel(arch);
      const { layers, totals } = modelMetrics(g);
      const e = EXPECTED[arch]!;
      assert.equal(totals.params, e.params);
      assert.equal(totals.macs, e.macs);
      assert.equal(totals.stateElements, e.state);
      assert.equal(layers.length, e.layers);
      assert.ok(totals.macsComplete);
      assert.equal(totals.bytes, encodeModel(g).length);
      assert.ok(totals.bytes > 4 * (totals.params + totals.stateElements));
      assert.match(
        describeModel(arch),
        new RegExp(`^${arch}: .*${e.params.toLocaleString('en-US')} params, ${e.macs.toLocaleString('en-US')} MACs`),
      );
    });
  }

  test('per-layer rows of lenet5', () => {
    const { layers } = modelMetrics(buildModel('lenet5'));
    assert.deepEqual(
      layers.map((l) => [l.name, l.op, l.weightShape, l.bias, l.params, l.macs]),
      [
        ['conv1', 'Conv', [6, 1, 5, 5], 'conv1.bias', 156, 117_600],
        ['conv2', 'Conv', [16, 6, 5, 5], 'conv2.bias', 2416, 240_000],
        ['fc1', 'Gemm', [120, 400], 'fc1.bias', 48_120, 48_000],
        ['fc2', 'Gemm', [84, 120], 'fc2.bias', 10_164, 10_080],
        ['fc3', 'Gemm', [10, 84], 'fc3.bias', 850, 840],
      ],
    );
  });

  test('BN running stats are state, not params; BN gamma/beta are params', () => {
    const g = buildModel('resnet-small');
    const { totals } = modelMetrics(g);
    let all = 0;
    for (const t of g.initializers.values()) all += t.data.length;
    assert.equal(totals.params + totals.stateElements, all);
    // Removing every BN's running stats from the count must not change params.
    const bnStats = [...g.initializers.keys()].filter((k) => /running_(mean|var)$/.test(k));
    assert.equal(
      bnStats.reduce((s, k) => s + g.initializers.get(k)!.data.length, 0),
      totals.stateElements,
    );
  });

  test('sparsity, nonzeros and effective MACs follow zeroed weights', () => {
    const g = buildModel('lenet5');
    const w = g.initializers.get('conv2.weight')!.data as Float32Array;
    w.fill(0, 0, w.length / 2); // half of conv2's 2400 weights
    const { layers, totals } = modelMetrics(g);
    const conv2 = layers.find((l) => l.name === 'conv2')!;
    assert.equal(conv2.nonzeros, 2416 - 1200);
    assert.ok(Math.abs(conv2.sparsity - 1200 / 2416) < 1e-12);
    assert.equal(conv2.macs, 240_000);
    assert.equal(conv2.effectiveMacs, 120_000);
    assert.equal(totals.nonzeros, 61_706 - 1200);
    assert.equal(totals.effectiveMacs, 416_520 - 120_000);
  });

  test('MatMul with constant weight (+ bias Add) and ConvTranspose', () => {
    const g = new Graph();
    g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 5, 8] }];
    const w = g.addInitializer('lin.weight', f32([8, 3]));
    const b = g.addInitializer('lin.bias', f32([3], [1, 0, 2]));
    const [m] = g.add('MatMul', ['x', w], {}, { name: 'lin' });
    const [y] = g.add('Add', [m!, b]);
    const [r] = g.add('Reshape', [
      y!,
      g.addInitializer('shape', { dtype: 'int64', dims: [4], data: new BigInt64Array([0n, 1n, 5n, 3n]) }),
    ]);
    const wt = g.addInitializer('up.weight', f32([1, 2, 2, 2], [1, 1, 1, 1, 1, 1, 1, 1]));
    const [z] = g.add(
      'ConvTranspose',
      [r!, wt],
      { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) },
      { name: 'up' },
    );
    g.outputs = [{ name: z!, dtype: 'float32' }];
    const { layers, totals } = modelMetrics(g);
    const lin = layers.find((l) => l.name === 'lin')!;
    assert.equal(lin.bias, 'lin.bias');
    assert.equal(lin.params, 27);
    assert.equal(lin.nonzeros, 2);
    assert.equal(lin.macs, 5 * 8 * 3);
    const up = layers.find((l) => l.name === 'up')!;
    assert.equal(up.macs, 5 * 3 * 8); // each of the 5·3 input pixels scatters into 2·2·2 outputs
    assert.equal(totals.params, 24 + 3 + 8); // int64 shape tensor is not a parameter
  });

  test('latency is a positive number of milliseconds', async () => {
    const ms = await measureLatency(buildModel('mlp'), { batch: 8, iters: 3, warmup: 1 });
    assert.ok(Number.isFinite(ms) && ms > 0);
  });
});
