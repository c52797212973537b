/**
 * REAP on a layer that is both a consumer (of the group before it) and a producer (its own outputs cut), with no
 * bias of its own — every conv of a BatchNorm-kept PyTorch export. The fold of the group before gives it a bias;
 * cutting its outputs must then slice that bias too, or ONNX Runtime refuses the model (MobileNetV3 and MNASNet
 * exports in `reprune bench coverage`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prune } from '../../src/api/prune.js';
import type { Dataset } from '../../src/data/dataset.js';
import { groupGrams } from '../../src/passes/cut/behaviours.js';
import { pruneStructured } from '../../src/passes/cut/prune.js';
import type { Fold } from '../../src/passes/reap/types.js';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32 } from '../../src/ir/tensor.js';
import { SeededRng } from '../../src/util/random.js';
import { randomInput, runLogits } from '../srn/helpers.js';

function convBnNet(): Graph {
  const rng = new SeededRng(3);
  const g = new Graph();
  g.name = 'conv-bn';
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 3, 8, 8] }];
  const t = (name: string, dims: number[], mean = 0, std = 0.4) =>
    g.addInitializer(name, f32(dims, rng.fillNormal(new Float32Array(dims.reduce((a, b) => a * b, 1)), mean, std)));
  const pads = { pads: A.ints([1, 1, 1, 1]) };
  let x = g.add('Conv', ['x', t('c1.w', [8, 3, 3, 3]), t('c1.b', [8])], pads, { name: 'conv1' })[0]!;
  x = g.add('Relu', [x])[0]!;
  // conv2: no bias, then BatchNorm with non-trivial statistics (so REAP's fold has a constant to absorb).
  x = g.add('Conv', [x, t('c2.w', [8, 8, 3, 3])], pads, { name: 'conv2' })[0]!;
  const bn = [t('bn.s', [8], 1, 0.1), t('bn.b', [8], 0, 0.1), t('bn.m', [8], 0, 0.1)];
  const v = g.addInitializer(
    'bn.v',
    f32(
      [8],
      Array.from({ length: 8 }, () => 0.8 + 0.4 * rng.next()),
    ),
  );
  x = g.add('Relu', [g.add('BatchNormalization', [x, ...bn, v], {}, { name: 'bn2' })[0]!])[0]!;
  x = g.add('Flatten', [g.add('GlobalAveragePool', [x])[0]!], { axis: A.int(1) })[0]!;
  g.add('Gemm', [x, t('fc.w', [5, 8]), t('fc.b', [5])], { transB: A.int(1) }, { name: 'fc', outputs: ['logits'] });
  g.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 5] }];
  g.validate();
  return g;
}

function randomData(n: number): Dataset {
  const rng = new SeededRng(4);
  return {
    name: 'random',
    images: new Float32Array(n * 3 * 64).map(() => rng.next()),
    labels: Int32Array.from({ length: n }, (_, i) => i % 5),
    count: n,
    shape: [3, 8, 8],
    numClasses: 5,
  };
}

test('REAP gives a bias-free conv a bias and cuts it with the conv’s outputs; the model runs in ORT', async () => {
  const g = convBnNet();
  const n = 64;
  const data = randomData(n);
  const { graph, summary } = await prune(g, { method: 'reap', ratio: 0.5, data, calib: n });
  assert.deepEqual(summary.channels, { conv1: [8, 4], conv2: [8, 4] });
  const conv2 = graph.nodes.find((x) => x.name === 'conv2')!;
  assert.ok(conv2.inputs[2], 'the fold of conv1’s group gave conv2 a bias');
  assert.deepEqual(graph.initializers.get(conv2.inputs[2]!)!.dims, [4]);
  const y = await runLogits(graph, randomInput([2, 3, 8, 8]));
  assert.equal(y.length, 10);
  assert.ok(y.every(Number.isFinite));
});

test('a fold that creates a bias is computed once: a second cut with the same plans reuses its arrays (PRO)', async () => {
  const g = convBnNet();
  const grams = await groupGrams(g, randomData(64), { samples: 64 });
  const planCache = new Map<string, Fold>();
  const cut = () => pruneStructured(g, { method: 'reap', ratios: { conv1: 0.5 }, grams, planCache }).graph;
  const [a, b] = [cut(), cut()];
  const bias = (x: Graph) => x.initializers.get(x.nodes.find((n) => n.name === 'conv2')!.inputs[2]!)!.data;
  assert.ok(
    bias(a).some((v) => v !== 0),
    'the fold put a constant into the created bias',
  );
  // Same array, not an equal copy: PRO's candidates of a BN-kept export re-folded every committed group per candidate.
  assert.equal(bias(b), bias(a));
  assert.equal(a.initializers.get('c2.w')!.data, b.initializers.get('c2.w')!.data);
  assert.equal(g.nodes.find((n) => n.name === 'conv2')!.inputs[2], undefined, 'the input graph is untouched');
});
