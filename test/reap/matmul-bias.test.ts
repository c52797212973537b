/** A MatMul's bias is the 1-D initializer of the Add after it, only with one value per output column. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/ir/graph.js';
import { f32 } from '../../src/ir/tensor.js';
import { matmulBias } from '../../src/passes/cut/outgoing.js';

function linear(biasLength: number): Graph {
  const g = new Graph();
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 4] }];
  const w = g.addInitializer('w', f32([4, 3], new Float32Array(12).fill(0.5)), true);
  const b = g.addInitializer('b', f32([biasLength], new Float32Array(biasLength).fill(1)), true);
  const y = g.add('MatMul', ['x', w], {}, { name: 'fc' })[0]!;
  const z = g.add('Add', [y, b], {}, { name: 'fc_bias' })[0]!;
  g.outputs = [{ name: z, dtype: 'float32', shape: ['N', 3] }];
  g.validate();
  return g;
}

test('matmulBias: a per-column bias Add is the bias; a broadcast scalar is not', () => {
  assert.equal(matmulBias(linear(3), 'fc'), 'b');
  assert.equal(matmulBias(linear(1), 'fc'), undefined);
});
