import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../../src/ir/graph.js';
import { A } from '../../src/ir/attrs.js';
import { f32 } from '../../src/ir/tensor.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { compile } from '../../src/runtime/session.js';

test('IR graph encodes, decodes and runs in ORT', async () => {
  const g = new Graph();
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 3] }];
  const w = g.addInitializer('w', f32([2, 3], [1, 2, 3, 4, 5, 6]));
  const b = g.addInitializer('b', f32([2], [0.5, -0.5]));
  const [y] = g.add('Gemm', ['x', w, b], { transB: A.int(1), alpha: A.float(1) });
  const [z] = g.add('Relu', [y!]);
  g.outputs = [{ name: z!, dtype: 'float32', shape: ['N', 2] }];
  const g2 = decodeModel(encodeModel(g));
  assert.deepEqual(g2.nodes, g.nodes);
  const r = await compile(g2);
  const out = await r.run({ x: f32([1, 3], [1, -1, 1]) });
  assert.deepEqual(Array.from(out[z!]!.data as Float32Array), [2.5, 4.5]);
});
