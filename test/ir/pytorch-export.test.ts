/**
 * A hand-built graph shaped like a PyTorch export (Constant nodes, x.view(x.size(0), -1) and
 * x.reshape(b, c*h*w) chains, BatchNorm kept or folded, Identity) infers, folds and still runs the same in ORT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32, i64, i64vec, toNumbers, type Tensor } from '../../src/ir/tensor.js';
import { foldConstants } from '../../src/ir/fold/index.js';
import { inferShapes, shapeOf } from '../../src/ir/shape/index.js';
import { compile } from '../../src/runtime/session.js';
import { SeededRng } from '../../src/util/random.js';

function randn(rng: SeededRng, dims: number[], positive = false): Tensor {
  const t = f32(dims);
  for (let i = 0; i < t.data.length; i++) (t.data as Float32Array)[i] = positive ? 0.5 + rng.next() : rng.normal();
  return t;
}

function constant(g: Graph, t: Tensor): string {
  return g.add('Constant', [], { value: A.tensor(t) })[0]!;
}

/** conv → (BN) → relu → pool → view(N, -1) → fc → reshape(N, 2, 5) → reshape(b, 10) → identity */
function torchLike(foldedBn: boolean): Graph {
  const rng = new SeededRng(7);
  const g = new Graph();
  g.opset = 13;
  g.inputs = [{ name: 'input', dtype: 'float32', shape: ['N', 1, 8, 8] }];
  g.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 10] }];
  const w = constant(g, randn(rng, [4, 1, 3, 3]));
  let x: string;
  if (foldedBn) {
    x = g.add(
      'Conv',
      ['input', w, g.addInitializer('conv1.bias', randn(rng, [4]))],
      { pads: A.ints([1, 1, 1, 1]) },
      { name: '/conv1/Conv' },
    )[0]!;
  } else {
    x = g.add('Conv', ['input', w], { pads: A.ints([1, 1, 1, 1]) }, { name: '/conv1/Conv' })[0]!;
    const bn = ['weight', 'bias', 'running_mean', 'running_var'].map((k, i) =>
      g.addInitializer(`bn1.${k}`, randn(rng, [4], i === 3)),
    );
    x = g.add(
      'BatchNormalization',
      [x, ...bn],
      { epsilon: A.float(1e-5), momentum: A.float(0.9) },
      { name: '/bn1/BatchNormalization' },
    )[0]!;
  }
  x = g.add('Relu', [x])[0]!;
  x = g.add('MaxPool', [x], { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) })[0]!;
  // x.view(x.size(0), -1)
  const shape = g.add('Shape', [x])[0]!;
  const n = g.add('Gather', [shape, constant(g, i64([], [0]))], { axis: A.int(0) })[0]!;
  const nU = g.add('Unsqueeze', [n, constant(g, i64vec([0]))])[0]!;
  const target = g.add('Concat', [nU, constant(g, i64vec([-1]))], { axis: A.int(0) })[0]!;
  x = g.add('Reshape', [x, target], {}, { name: '/Reshape' })[0]!;
  x = g.add(
    'Gemm',
    [x, g.addInitializer('fc.weight', randn(rng, [10, 64])), g.addInitializer('fc.bias', randn(rng, [10]))],
    { transB: A.int(1) },
  )[0]!;
  // x.reshape(b, 2, 5) then x.reshape(b, c*h) with c, h read from the shape
  const s2 = g.add('Shape', [x])[0]!;
  const b = g.add('Unsqueeze', [g.add('Gather', [s2, constant(g, i64([], [0]))])[0]!, constant(g, i64vec([0]))])[0]!;
  const t3 = g.add('Concat', [b, constant(g, i64vec([2, 5]))], { axis: A.int(0) })[0]!;
  x = g.add('Reshape', [x, t3])[0]!;
  const s3 = g.add('Shape', [x])[0]!;
  const c = g.add('Gather', [s3, constant(g, i64([], [1]))])[0]!;
  const h = g.add('Gather', [s3, constant(g, i64([], [2]))])[0]!;
  const ch = g.add('Unsqueeze', [g.add('Mul', [c, h])[0]!, constant(g, i64vec([0]))])[0]!;
  const b3 = g.add('Unsqueeze', [g.add('Gather', [s3, constant(g, i64([], [0]))])[0]!, constant(g, i64vec([0]))])[0]!;
  x = g.add('Reshape', [x, g.add('Concat', [b3, ch], { axis: A.int(0) })[0]!])[0]!;
  g.add('Identity', [x], {}, { outputs: ['logits'] });
  return g;
}

const SHAPE_OPS = ['Constant', 'Shape', 'Gather', 'Unsqueeze', 'Concat', 'Mul', 'Identity'];

for (const foldedBn of [false, true]) {
  test(`PyTorch-style export (${foldedBn ? 'BN folded' : 'BN kept'}) infers, folds exactly and runs the same`, async () => {
    const g = torchLike(foldedBn);
    inferShapes(g);
    assert.deepEqual(shapeOf(g, 'logits'), ['N', 10]);
    assert.deepEqual(shapeOf(g, g.nodes.find((n) => n.name === '/Reshape')!.outputs[0]!), ['N', 64]);

    const folded = g.clone();
    foldConstants(folded);
    const ops = folded.nodes.map((n) => n.opType);
    for (const op of SHAPE_OPS) assert.ok(!ops.includes(op), `${op} should be folded away: ${ops.join(',')}`);
    assert.deepEqual(ops, [
      'Conv',
      ...(foldedBn ? [] : ['BatchNormalization']),
      'Relu',
      'MaxPool',
      'Reshape',
      'Gemm',
      'Reshape',
      'Reshape',
    ]);
    const targets = folded.nodes
      .filter((n) => n.opType === 'Reshape')
      .map((n) => toNumbers(folded.initializers.get(n.inputs[1]!)!));
    assert.deepEqual(targets, [
      [0, -1],
      [0, 2, 5],
      [0, 10],
    ]);
    inferShapes(folded);
    assert.deepEqual(shapeOf(folded, 'logits'), ['N', 10]);
    assert.ok(
      folded.initializers.has(folded.nodes[0]!.inputs[1]!),
      'conv weight from a Constant node is an initializer',
    );

    const rng = new SeededRng(3);
    for (const batch of [1, 5]) {
      const feeds = { input: randn(rng, [batch, 1, 8, 8]) };
      const before = (await (await compile(g)).run(feeds)).logits!;
      const after = (await (await compile(folded)).run(feeds)).logits!;
      assert.deepEqual(after.dims, [batch, 10]);
      assert.deepEqual(after.data, before.data, 'folding must be exact');
    }

    // With a fixed batch, the whole chain folds to plain constants.
    const fixed = g.clone();
    inferShapes(fixed, { batch: 2 });
    foldConstants(fixed);
    const fixedTargets = fixed.nodes
      .filter((n) => n.opType === 'Reshape')
      .map((n) => toNumbers(fixed.initializers.get(n.inputs[1]!)!));
    assert.deepEqual(fixedTargets, [
      [2, -1],
      [2, 2, 5],
      [2, 10],
    ]);
  });
}

test('folding keeps Shape chains on symbolic dims it cannot express and leaves outputs untouched', async () => {
  const g = new Graph();
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 6] }];
  // Output the shape itself: a graph output is never folded away.
  const s = g.add('Shape', ['x'], {}, { outputs: ['shape'] })[0]!;
  const y = g.add('Cast', [s], { to: A.int(1) })[0]!;
  g.add('Add', [y, g.add('Constant', [], { value: A.tensor(f32([2], [1, 2])) })[0]!], {}, { outputs: ['out'] });
  g.outputs = [
    { name: 'shape', dtype: 'int64' },
    { name: 'out', dtype: 'float32' },
  ];
  foldConstants(g);
  assert.deepEqual(
    g.nodes.map((n) => n.opType),
    ['Shape', 'Cast', 'Add'],
  );
  const r = await (await compile(g)).run({ x: f32([4, 6]) });
  assert.deepEqual(Array.from(r.out!.data as Float32Array), [5, 8]);
});

test('constant arithmetic folds exactly (float32 and int64)', async () => {
  const g = new Graph();
  g.inputs = [{ name: 'x', dtype: 'float32', shape: [3] }];
  const a = g.addInitializer('a', f32([3], [0.1, 1 / 3, 1e-8]));
  const b = g.addInitializer('b', f32([1], [0.7]));
  const q = g.add('Div', [g.add('Sqrt', [a])[0]!, b])[0]!;
  const q2 = g.add('Sub', [g.add('Mul', [q, a])[0]!, b])[0]!;
  g.add('Add', ['x', g.add('Transpose', [q2])[0]!], {}, { outputs: ['y'] });
  g.outputs = [{ name: 'y', dtype: 'float32' }];
  const feeds = { x: f32([3], [1, 2, 3]) };
  const before = (await (await compile(g, { optimization: 'disabled' })).run(feeds)).y!;
  foldConstants(g);
  assert.deepEqual(
    g.nodes.map((n) => n.opType),
    ['Add'],
  );
  const after = (await (await compile(g, { optimization: 'disabled' })).run(feeds)).y!;
  assert.deepEqual(after.data, before.data);
});

/** ViT's class token: tokens [N, T, D]; token.expand(N, -1, -1) exported as Shape/Gather/Concat → Equal(-1) → Where → Expand. */
function classTokenGraph(): Graph {
  const rng = new SeededRng(9);
  const g = new Graph();
  g.opset = 13;
  g.inputs = [{ name: 'tokens', dtype: 'float32', shape: ['N', 4, 6] }];
  g.outputs = [{ name: 'out', dtype: 'float32', shape: ['N', 5, 6] }];
  const token = g.addInitializer('class_token', randn(rng, [1, 1, 6]));
  const shape = g.add('Shape', ['tokens'])[0]!;
  const n = g.add('Gather', [shape, constant(g, i64([], [0]))], { axis: A.int(0) })[0]!;
  const nU = g.add('Unsqueeze', [n, constant(g, i64vec([0]))])[0]!;
  const target = g.add('Concat', [nU, constant(g, i64vec([-1])), constant(g, i64vec([-1]))], { axis: A.int(0) })[0]!;
  const isMinus = g.add('Equal', [target, constant(g, i64vec([-1, -1, -1]))])[0]!;
  const sizes = g.add('Where', [isMinus, constant(g, i64vec([1, 1, 1])), target])[0]!;
  const tokenN = g.add('Expand', [token, sizes])[0]!;
  g.add('Concat', [tokenN, 'tokens'], { axis: A.int(1) }, { outputs: ['out'] });
  return g;
}

test('the class-token expand(N, -1, -1) chain keeps the symbolic batch (Equal/Where on shape values)', async () => {
  const g = classTokenGraph();
  inferShapes(g);
  assert.deepEqual(shapeOf(g, 'out'), ['N', 5, 6]);
  const x = randn(new SeededRng(1), [2, 4, 6]);
  const y = (await (await compile(g)).run({ tokens: x })).out!;
  assert.deepEqual(y.dims, [2, 5, 6]);
});
