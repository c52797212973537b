/**
 * Constant folding is exact: every op case whose op has a fold kernel is rebuilt with all inputs constant,
 * folded, and must give bit-identical ORT outputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldConstants } from '../../src/ir/fold/index.js';
import { inferShapes, dtypeOf } from '../../src/ir/shape/index.js';
import { FOLD_KERNELS } from '../../src/ir/fold/kernels.js';
import { tensor } from '../../src/ir/tensor.js';
import { compile } from '../../src/runtime/session.js';
import { caseGraph, type OpCase } from './harness.js';
import { OP_CASES } from './cases.js';
import { A } from '../../src/ir/attrs.js';
import { f32, i64vec, toNumbers } from '../../src/ir/tensor.js';
import { Graph } from '../../src/ir/graph.js';

const EXTRA: OpCase[] = [
  { name: 'Transpose weight', op: 'Transpose', inputs: [{ shape: [4, 3, 2] }], attrs: { perm: A.ints([2, 0, 1]) } },
  {
    name: 'Cast negative floats',
    op: 'Cast',
    inputs: [{ shape: [4], data: [-1.5, -0.5, 0.5, 2.9] }],
    attrs: { to: A.int(7) },
  },
  {
    name: 'Cast int64 -> int32',
    op: 'Cast',
    inputs: [{ shape: [3], dtype: 'int64', data: [1, -2, 3] }],
    attrs: { to: A.int(6) },
  },
  {
    name: 'ConstantOfShape int64',
    op: 'ConstantOfShape',
    inputs: [{ shape: [2], dtype: 'int64', data: [2, 3] }],
    attrs: { value: A.tensor({ dtype: 'int64', dims: [1], data: BigInt64Array.of(7n) }) },
  },
  {
    name: 'Gather float weight rows',
    op: 'Gather',
    inputs: [{ shape: [5, 3] }, { shape: [2, 2], dtype: 'int64', data: [4, 0, -1, 2] }],
  },
  {
    name: 'Mul int64 broadcast',
    op: 'Mul',
    inputs: [
      { shape: [2, 3], dtype: 'int64' },
      { shape: [3], dtype: 'int64' },
    ],
  },
];

const cases = [...OP_CASES, ...EXTRA].filter((c) => FOLD_KERNELS[c.op]);

test('fold kernels cover the shape-arithmetic ops', () => {
  for (const op of [
    'Gather',
    'Unsqueeze',
    'Concat',
    'Squeeze',
    'Cast',
    'Slice',
    'Add',
    'Sub',
    'Mul',
    'Div',
    'Reshape',
    'Identity',
  ]) {
    assert.ok(FOLD_KERNELS[op], op);
  }
  assert.ok(cases.length >= 30);
});

for (const c of cases) {
  test(`fold ${c.name}`, async () => {
    const { g, feeds, outs } = caseGraph(c);
    // All inputs constant; a non-foldable consumer (x + z, z fed 0) keeps the result inside the graph.
    for (const v of g.inputs) g.initializers.set(v.name, feeds[v.name]!);
    g.inputs = [];
    inferShapes(g);
    const zfeeds: Record<string, ReturnType<typeof tensor>> = {};
    g.outputs = outs.map((o, k) => {
      const dtype = dtypeOf(g, o);
      const z = `z${k}`;
      g.inputs.push({ name: z, dtype, shape: [] });
      zfeeds[z] = tensor(dtype, []);
      const final = `final${k}`;
      g.add(dtype === 'bool' ? 'Or' : 'Add', [o, z], {}, { outputs: [final] });
      return { name: final, dtype };
    });
    const before = await (await compile(g, { optimization: 'disabled' })).run(zfeeds);
    const folded = g.clone();
    foldConstants(folded);
    assert.equal(folded.nodes.length, outs.length, `${c.op} should be folded: ${folded.nodes.map((n) => n.opType)}`);
    const after = await (await compile(folded, { optimization: 'disabled' })).run(zfeeds);
    for (const o of g.outputs) {
      assert.deepEqual(after[o.name]!.dims, before[o.name]!.dims);
      assert.deepEqual(after[o.name]!.data, before[o.name]!.data, `${o.name} must be bit-identical`);
    }
  });
}

test('Reshape rewrite: two unknown dims stay dynamic; allowzero never gets a 0', async () => {
  const g = new Graph();
  g.inputs = [
    { name: 'x', dtype: 'float32', shape: ['N', 'M', 4] },
    { name: 'y', dtype: 'float32', shape: ['B', 2] },
  ];
  const sx = g.add('Shape', ['x'])[0]!;
  const sy = g.add('Shape', ['y'])[0]!;
  const n = g.add('Slice', [sx, g.addInitializer('s0', i64vec([0])), g.addInitializer('e1', i64vec([1]))])[0]!;
  const m = g.add('Slice', [sx, g.addInitializer('s1', i64vec([1])), g.addInitializer('e2', i64vec([2]))])[0]!;
  const b = g.add('Slice', [sy, g.addInitializer('s0b', i64vec([0])), g.addInitializer('e1b', i64vec([1]))])[0]!;
  // [N, M, 4] -> [N, M*4]: M*4 is not expressible, but N copies → [0, -1]
  const t1 = g.add('Concat', [n, g.addInitializer('m1', i64vec([-1]))], { axis: A.int(0) })[0]!;
  g.add('Reshape', ['x', t1], {}, { outputs: ['r1'] });
  // [N, M, 4] -> [N, M, 4] (two symbols, both copy) → [0, 0, 4]
  const t2 = g.add('Concat', [n, m, g.addInitializer('four', i64vec([4]))], { axis: A.int(0) })[0]!;
  g.add('Reshape', ['x', t2], {}, { outputs: ['r2'] });
  // [B, 2] -> [B, 2] with allowzero=1: B must become -1, not 0
  const t3 = g.add('Concat', [b, g.addInitializer('two', i64vec([2]))], { axis: A.int(0) })[0]!;
  g.add('Reshape', ['y', t3], { allowzero: A.int(1) }, { outputs: ['r3'] });
  // [B, 2] -> [M, N]: symbols unrelated to the input → stays dynamic
  const t4 = g.add('Concat', [m, n], { axis: A.int(0) })[0]!;
  g.add('Reshape', ['y', t4], {}, { outputs: ['r4'] });
  g.outputs = ['r1', 'r2', 'r3', 'r4'].map((name) => ({ name, dtype: 'float32' as const }));
  g.opset = 14;
  const folded = g.clone();
  foldConstants(folded);
  const target = (out: string) => {
    const r = folded.nodes.find((nd) => nd.outputs[0] === out)!;
    const t = folded.initializers.get(r.inputs[1]!);
    return t ? toNumbers(t) : 'dynamic';
  };
  assert.deepEqual([target('r1'), target('r2'), target('r3'), target('r4')], [[0, -1], [0, 0, 4], [-1, 2], 'dynamic']);
  const feeds = { x: f32([2, 3, 4]), y: f32([3, 2]) };
  feeds.x.data.forEach((_, i) => {
    (feeds.x.data as Float32Array)[i] = i;
  });
  feeds.y.data.forEach((_, i) => {
    (feeds.y.data as Float32Array)[i] = -i;
  });
  const before = await (await compile(g)).run(feeds);
  const after = await (await compile(folded)).run(feeds);
  for (const k of ['r1', 'r2', 'r3', 'r4']) assert.deepEqual(after[k], before[k]);
});
