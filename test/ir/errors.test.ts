import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../../src/ir/graph.js';
import { A } from '../../src/ir/attrs.js';
import { f32, i64vec } from '../../src/ir/tensor.js';
import { foldConstants } from '../../src/ir/fold/index.js';
import { checkSupported, inferShapes, inferShapesDetailed, shapeOf, SUPPORTED_OPS } from '../../src/ir/shape/index.js';
import { ReproError } from '../../src/util/errors.js';

function throwsRepro(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ReproError, `expected ReproError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    for (const p of parts) {
      if (typeof p === 'string') assert.ok(e.message.includes(p), `message should contain '${p}': ${e.message}`);
      else assert.match(e.message, p);
    }
    return true;
  });
}

function tiny(op: string, opset = 17, domain?: string): Graph {
  const g = new Graph();
  g.opset = opset;
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 4] }];
  g.add('Relu', ['x'], {}, { name: 'ok', outputs: ['r'] });
  g.add(op, ['r'], {}, { name: 'weird_node', outputs: ['y'], domain });
  g.outputs = [{ name: 'y', dtype: 'float32' }];
  return g;
}

test('unsupported op: ReproError naming node, op type and opset, listing supported ops', () => {
  throwsRepro(
    () => checkSupported(tiny('LSTM', 14)),
    "node 'weird_node' (LSTM, opset 14) is not supported by reprune",
    'supported ops: ',
    'Conv',
  );
  throwsRepro(() => inferShapes(tiny('GRU', 12), { strict: true }), "node 'weird_node' (GRU, opset 12)");
  throwsRepro(
    () => checkSupported(tiny('Relu', 17, 'com.microsoft')),
    "node 'weird_node' (com.microsoft.Relu, opset 17)",
  );
  assert.doesNotThrow(() => checkSupported(tiny('Sigmoid')));
  assert.ok(SUPPORTED_OPS.includes('Conv') && SUPPORTED_OPS.includes('Gather'));
});

test('an op without a shape rule is opaque: its outputs keep recorded shapes, else they and what follows stay unknown', () => {
  const g = tiny('GRU', 12);
  g.add('Relu', ['y'], {}, { name: 'after', outputs: ['z'] });
  g.outputs = [{ name: 'z', dtype: 'float32' }];
  const r = inferShapesDetailed(g.clone(true));
  assert.deepEqual(
    r.opaque.map((n) => n.name),
    ['weird_node'],
  );
  assert.deepEqual([...r.unknown].sort(), ['y', 'z']);
  g.valueInfo.set('y', { name: 'y', dtype: 'float32', shape: ['N', 7] });
  inferShapes(g, { batch: 5 });
  assert.deepEqual(shapeOf(g, 'z'), [5, 7], 'recorded shape used, its batch symbol bound like the input');
});

test('folding tolerates unsupported ops (they stay), inference then names them', () => {
  const g = tiny('LSTM');
  foldConstants(g);
  assert.deepEqual(
    g.nodes.map((n) => n.opType),
    ['Relu', 'LSTM'],
  );
  assert.deepEqual(shapeOf(g, 'r'), ['N', 4]);
});

test('cycle: ReproError naming a node on the cycle', () => {
  const g = new Graph();
  g.inputs = [{ name: 'x', dtype: 'float32', shape: [2] }];
  g.nodes = [
    { name: 'a', opType: 'Add', inputs: ['x', 'c'], outputs: ['b'], attrs: {} },
    { name: 'b', opType: 'Relu', inputs: ['b'], outputs: ['c'], attrs: {} },
  ];
  g.outputs = [{ name: 'c', dtype: 'float32' }];
  throwsRepro(() => inferShapes(g), /cycle through node '(a|b)'/);
});

test('Reshape with a non-constant target names the node', () => {
  const g = new Graph();
  g.inputs = [
    { name: 'x', dtype: 'float32', shape: ['N', 4] },
    { name: 's', dtype: 'int64', shape: [2] },
  ];
  g.add('Reshape', ['x', 's'], {}, { name: 'reshape_dyn', outputs: ['y'] });
  g.outputs = [{ name: 'y', dtype: 'float32' }];
  throwsRepro(() => inferShapes(g), "node 'reshape_dyn' (Reshape)", 'not a constant');
});

test('bad attributes and shapes give node-named errors', () => {
  const g = new Graph();
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 3, 4] }];
  g.add('Add', ['x', g.addInitializer('b', f32([5], [1, 2, 3, 4, 5]))], {}, { name: 'add_bad', outputs: ['y'] });
  g.outputs = [{ name: 'y', dtype: 'float32' }];
  throwsRepro(() => inferShapes(g), "node 'add_bad' (Add)", 'broadcast');

  const h = new Graph();
  h.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 3, 4] }];
  h.add('Reshape', ['x', h.addInitializer('s', i64vec([5, -1]))], {}, { name: 'r_bad', outputs: ['y'] });
  h.outputs = [{ name: 'y', dtype: 'float32' }];
  // 12*N / 5 is not exact for a symbolic N → fresh symbol; with a fixed batch, 24 / 5 has no integer solution.
  inferShapes(h.clone());
  throwsRepro(() => inferShapes(h, { batch: 2 }), "node 'r_bad' (Reshape)", 'cannot reshape');

  const q = new Graph();
  q.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 3, 8, 8] }];
  q.add('Conv', ['x', q.addInitializer('w', f32([4, 1, 3, 3]))], {}, { name: 'conv_c', outputs: ['y'] });
  q.outputs = [{ name: 'y', dtype: 'float32' }];
  throwsRepro(() => inferShapes(q), "node 'conv_c' (Conv)", 'input has 3 channels but the weight expects 1');

  const s = new Graph();
  s.inputs = [{ name: 'x', dtype: 'float32', shape: [2, 3] }];
  s.add('Reshape', ['x', s.addInitializer('t', i64vec([5]))], {}, { name: 'r_numel', outputs: ['y'] });
  s.outputs = [{ name: 'y', dtype: 'float32' }];
  throwsRepro(() => inferShapes(s), "node 'r_numel' (Reshape)", '6 elements');

  const m = new Graph();
  m.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 784] }];
  m.add('Gemm', ['x', m.addInitializer('w', f32([10, 100]))], { transB: A.int(1) }, { name: 'fc', outputs: ['y'] });
  m.outputs = [{ name: 'y', dtype: 'float32' }];
  throwsRepro(() => inferShapes(m), "node 'fc' (Gemm)", 'A has 784 columns but B expects 100');

  const p = new Graph();
  p.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 1, 2, 2] }];
  p.add('MaxPool', ['x'], { kernel_shape: A.ints([3, 3]) }, { name: 'pool_big', outputs: ['y'] });
  p.outputs = [{ name: 'y', dtype: 'float32' }];
  throwsRepro(() => inferShapes(p), "node 'pool_big' (MaxPool)");

  const u = new Graph();
  u.inputs = [{ name: 'x', dtype: 'float32' }];
  u.add('Relu', ['x'], {}, { outputs: ['y'] });
  u.outputs = [{ name: 'y', dtype: 'float32' }];
  throwsRepro(() => inferShapes(u), "graph input 'x' has no shape");
});

test('batch option fixes symbolic input dims and propagates; shapeOf throws for unknown values', () => {
  const g = new Graph();
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 2, 3] }];
  g.add('Flatten', ['x'], {}, { outputs: ['f'] });
  g.add('Reshape', ['f', g.addInitializer('s', i64vec([-1]))], {}, { outputs: ['y'] });
  g.outputs = [{ name: 'y', dtype: 'float32' }];
  inferShapes(g);
  assert.deepEqual(shapeOf(g, 'f'), ['N', 6]);
  assert.deepEqual(shapeOf(g, 'y'), ['6*N']);
  inferShapes(g, { batch: 4 });
  assert.deepEqual(g.inputs[0]!.shape, [4, 2, 3]);
  assert.deepEqual(shapeOf(g, 'y'), [24]);
  assert.deepEqual(g.outputs[0]!.shape, [24]);
  assert.throws(() => shapeOf(g, 'nope'));
});
