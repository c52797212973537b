/**
 * LOP expand on a conv head shared by several layers (an FPN/RetinaNet class subnet run on every pyramid level):
 * the shared weight stays where it is (expanding it would delete it for the other readers) with the reason in the
 * report; the other layers expand and the function is preserved.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32 } from '../../src/ir/tensor.js';
import { lopExpand } from '../../src/passes/lop/index.js';
import { compile } from '../../src/runtime/session.js';
import { SeededRng } from '../../src/util/random.js';

function sharedHeadNet(): Graph {
  const rng = new SeededRng(6);
  const g = new Graph();
  const w = (name: string, dims: number[]) =>
    g.addInitializer(name, f32(dims, rng.fillNormal(new Float32Array(dims.reduce((a, b) => a * b, 1)), 0, 0.3)));
  g.inputs = [{ name: 'input', dtype: 'float32', shape: ['N', 3, 8, 8] }];
  const pads = { pads: A.ints([1, 1, 1, 1]) };
  const p3 = g.add('Conv', ['input', w('stem.w', [4, 3, 3, 3])], pads, { name: 'stem' })[0]!;
  const p4 = g.add('MaxPool', [p3], { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) })[0]!;
  const head = w('head.w', [4, 4, 3, 3]);
  const pooled = [p3, p4].map((p, i) => {
    const y = g.add('Conv', [p, head], pads, { name: `head${i}` })[0]!;
    return g.add('GlobalAveragePool', [g.add('Relu', [y])[0]!])[0]!;
  });
  const sum = g.add('Add', pooled)[0]!;
  g.add('Flatten', [sum], { axis: A.int(1) }, { outputs: ['logits'] });
  g.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 4] }];
  g.validate();
  return g;
}

test('LOP expand leaves a shared conv weight unexpanded and the model valid and equivalent', async () => {
  const g = sharedHeadNet();
  const r = await lopExpand(g, { rate: 2 });
  assert.deepEqual(r.expanded, ['stem']);
  assert.deepEqual(
    r.skipped.filter((s) => s.node.startsWith('head')).map((s) => s.reason),
    ['weight shared with other nodes: left unexpanded', 'weight shared with other nodes: left unexpanded'],
  );
  r.graph.validate();
  const rng = new SeededRng(1);
  const x = { dtype: 'float32' as const, dims: [2, 3, 8, 8], data: new Float32Array(384).map(() => rng.next()) };
  const f = (await (await compile(g)).run({ input: x })).logits!.data as Float32Array;
  const h = (await (await compile(r.graph)).run({ input: x })).logits!.data as Float32Array;
  const scale = f.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(f.every((v, i) => Math.abs(v - h[i]!) <= 1e-4 * scale));
});
