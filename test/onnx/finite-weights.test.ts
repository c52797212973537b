import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/ir/graph.js';
import { f32 } from '../../src/ir/tensor.js';
import { prepareGraph } from '../../src/onnx/prepare.js';

/** x·W + c: W a MatMul weight of `n` elements (n/4 × 4), c a constant added after it. */
function model(n: number, w: (i: number) => number, c: number[]): Graph {
  const g = new Graph();
  g.inputs = [{ name: 'x', dtype: 'float32', shape: [1, n / 4] }];
  const wName = g.addInitializer(
    'W',
    f32(
      [n / 4, 4],
      Float32Array.from({ length: n }, (_, i) => w(i)),
    ),
  );
  const [h] = g.add('MatMul', ['x', wName], {}, { name: 'mm' });
  g.add('Add', [h!, g.addInitializer('c', f32([4], Float32Array.from(c)))], {}, { name: 'add', outputs: ['y'] });
  g.outputs = [{ name: 'y', dtype: 'float32', shape: [1, 4] }];
  return g;
}

test('the first NaN or ±Inf of a weight is named with its element, in any chunk; a constant may hold ±Inf', () => {
  const n = 3 * 4096 + 8; // three whole chunks and a partial one
  for (const [at, v] of [
    [0, Number.NaN],
    [5000, Number.POSITIVE_INFINITY],
    [n - 1, Number.NEGATIVE_INFINITY],
  ] as const) {
    const g = model(n, (i) => (i === at || i === at + 3 ? v : i * 1e-3), [0, 0, 0, 0]);
    assert.throws(
      () => prepareGraph(g, 'm.onnx'),
      new RegExp(
        `^ReproError: m\\.onnx: initializer 'W' \\(weight of MatMul node 'mm'\\) holds ${v} at element ${at};`,
      ),
    );
  }
  const inf = model(16, (i) => i, [Number.NEGATIVE_INFINITY, 0, 1, Number.POSITIVE_INFINITY]);
  assert.doesNotThrow(() => prepareGraph(inf, 'm.onnx'));
  const nan = model(16, (i) => i, [0, 1, Number.NaN, 2]);
  assert.throws(() => prepareGraph(nan, 'm.onnx'), /initializer 'c' holds NaN at element 2;/);
});
