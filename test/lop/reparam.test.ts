import { test } from 'node:test';
import assert from 'node:assert/strict';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32, tensorsEqual, type Tensor } from '../../src/ir/tensor.js';
import { lopExpand, lopMerge } from '../../src/passes/lop/index.js';
import { compile } from '../../src/runtime/session.js';
import { SeededRng } from '../../src/util/random.js';

function rand(rng: SeededRng, dims: number[], scale = 0.3): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return f32(
    dims,
    Float32Array.from({ length: n }, () => rng.normal() * scale),
  );
}

/** conv3x3(stride 2, pad 1, bias) → relu → conv1x1 → flatten → Gemm(transB) → relu → Gemm([in,out], alpha, bias) → MatMul */
function buildNet(seed: number): Graph {
  const rng = new SeededRng(seed);
  const g = new Graph();
  g.inputs = [{ name: 'input', dtype: 'float32', shape: ['N', 3, 8, 8] }];
  const c1w = g.addInitializer('conv1.weight', rand(rng, [5, 3, 3, 3]));
  const c1b = g.addInitializer('conv1.bias', rand(rng, [5]));
  const [c1] = g.add(
    'Conv',
    ['input', c1w, c1b],
    { strides: A.ints([2, 2]), pads: A.ints([1, 1, 1, 1]), kernel_shape: A.ints([3, 3]) },
    { name: 'conv1' },
  );
  const [r1] = g.add('Relu', [c1!]);
  const c2w = g.addInitializer('conv2.weight', rand(rng, [4, 5, 1, 1]));
  const [c2] = g.add('Conv', [r1!, c2w], {}, { name: 'conv2' });
  const [fl] = g.add('Flatten', [c2!], { axis: A.int(1) });
  const f1w = g.addInitializer('fc1.weight', rand(rng, [6, 64]));
  const f1b = g.addInitializer('fc1.bias', rand(rng, [6]));
  const [f1] = g.add('Gemm', [fl!, f1w, f1b], { transB: A.int(1) }, { name: 'fc1' });
  const [r2] = g.add('Relu', [f1!]);
  const f2w = g.addInitializer('fc2.weight', rand(rng, [6, 5]));
  const f2b = g.addInitializer('fc2.bias', rand(rng, [5]));
  const [f2] = g.add('Gemm', [r2!, f2w, f2b], { alpha: A.float(0.5), beta: A.float(2) }, { name: 'fc2' });
  const mw = g.addInitializer('proj.weight', rand(rng, [5, 3]));
  g.add('MatMul', [f2!, mw], {}, { name: 'proj', outputs: ['logits'] });
  g.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 3] }];
  return g;
}

async function run(g: Graph, x: Tensor): Promise<Float32Array> {
  return (await (await compile(g)).run({ input: x })).logits!.data as Float32Array;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

test('LOP expand and merge both preserve the function, and merge restores the weights', async () => {
  const g = buildNet(1);
  const x = rand(new SeededRng(9), [4, 3, 8, 8], 1);
  const ref = await run(g, x);
  const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const rep = await lopExpand(g, { rate: 3, seed: 2 });
  const expanded = rep.graph;
  assert.deepEqual(rep.expanded.sort(), ['conv1', 'conv2', 'fc1', 'fc2', 'proj']);
  assert.equal(expanded.nodes.length, g.nodes.length + 2 * 5);
  assert.ok(maxDiff(await run(expanded, x), ref) <= 1e-4 * scale, 'expanded model computes the same function');
  // No dead blocks: every expanded sub-weight has no zero entries.
  for (const [name, t] of expanded.initializers) {
    if (/\.lop_(e1|m|e3)$/.test(name))
      assert.ok(
        (t.data as Float32Array).every((v) => v !== 0),
        `${name} has zeros`,
      );
  }
  const merged = (await lopMerge(expanded)).graph;
  assert.ok(maxDiff(await run(merged, x), ref) <= 1e-4 * scale, 'merged model computes the same function');
  assert.deepEqual(
    merged.nodes.map((n) => [n.name, n.opType, n.inputs, n.outputs]),
    g.nodes.map((n) => [n.name, n.opType, n.inputs, n.outputs]),
  );
  for (const [name, t] of g.initializers) {
    const m = merged.initializers.get(name)!;
    assert.deepEqual(m.dims, t.dims, name);
    const d = maxDiff(m.data as Float32Array, t.data as Float32Array);
    assert.ok(d <= 1e-4, `${name} differs by ${d}`);
  }
});

test('grouped convs are left unexpanded with a reason', async () => {
  const g = new Graph();
  g.inputs = [{ name: 'input', dtype: 'float32', shape: ['N', 4, 6, 6] }];
  const w = g.addInitializer('dw.weight', f32([4, 1, 3, 3], new Float32Array(36).fill(0.1)));
  g.add('Conv', ['input', w], { group: A.int(4) }, { name: 'dw', outputs: ['out'] });
  g.outputs = [{ name: 'out', dtype: 'float32' }];
  const before = g.clone();
  const rep = await lopExpand(g);
  assert.equal(rep.expanded.length, 0);
  assert.match(rep.skipped[0]!.reason, /grouped/);
  assert.ok(tensorsEqual(g.initializers.get('dw.weight')!, before.initializers.get('dw.weight')!));
});

test('an expansion that would not fit --max-memory is refused before anything is drawn, naming the largest layer', async () => {
  const { setMemoryLimitMB } = await import('../../src/util/limits.js');
  const g = new Graph();
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 2048] }];
  const w = g.addInitializer('big.weight', f32([2048, 2048], new Float32Array(2048 * 2048)));
  const small = g.addInitializer('small.weight', f32([2048, 8], new Float32Array(2048 * 8)));
  const [h] = g.add('MatMul', ['x', w], {}, { name: 'big' });
  const [y] = g.add('MatMul', [h!, small], {}, { name: 'small' });
  g.outputs = [{ name: y!, dtype: 'float32', shape: ['N', 8] }];
  // At rate 4 the big layer becomes 2048·8192 + 8192² + 8192·2048 parameters: 384 MB of float32.
  setMemoryLimitMB(300);
  try {
    await assert.rejects(
      lopExpand(g, { rate: 4 }),
      /lop-expand at rate 4: .*largest: big, 384\.0 MB.*--max-memory 300 MB.*--expand 2/,
    );
    const plan = await lopExpand(g, { rate: 4, structureOnly: true }); // deciding what expands needs no memory
    assert.deepEqual(plan.expanded, ['big', 'small']);
    const ok = await lopExpand(g, { rate: 2 }); // 96 MB fits
    assert.deepEqual(ok.expanded, ['big', 'small']);
  } finally {
    setMemoryLimitMB();
  }
});

/** x → Gemm(transB, α, β, bias) → MatMul → Gemm([in,out], bias) → Gemm(transB, α, bias): every pair of layouts. */
function mixedLayoutChain(seed: number): Graph {
  const rng = new SeededRng(seed);
  const g = new Graph();
  g.inputs = [{ name: 'input', dtype: 'float32', shape: ['N', 7] }];
  const w1 = g.addInitializer('l1.weight', rand(rng, [9, 7]));
  const b1 = g.addInitializer('l1.bias', rand(rng, [9]));
  const attrs1 = { transB: A.int(1), alpha: A.float(0.7), beta: A.float(1.5) };
  const [h1] = g.add('Gemm', ['input', w1, b1], attrs1, { name: 'l1' });
  const [h2] = g.add('MatMul', [h1!, g.addInitializer('l2.weight', rand(rng, [9, 6]))], {}, { name: 'l2' });
  const b3 = g.addInitializer('l3.bias', rand(rng, [5]));
  const [h3] = g.add('Gemm', [h2!, g.addInitializer('l3.weight', rand(rng, [6, 5])), b3], {}, { name: 'l3' });
  const w4 = g.addInitializer('l4.weight', rand(rng, [4, 5]));
  const b4 = g.addInitializer('l4.bias', rand(rng, [4]));
  g.add('Gemm', [h3!, w4, b4], { transB: A.int(1), alpha: A.float(1.3) }, { name: 'l4', outputs: ['out'] });
  g.outputs = [{ name: 'out', dtype: 'float32', shape: ['N', 4] }];
  return g;
}

test('merging a Gemm/MatMul chain with mixed weight layouts and biases keeps the function', async () => {
  const g = mixedLayoutChain(5);
  const before = g.clone();
  const x = rand(new SeededRng(6), [3, 7], 1);
  const runOut = async (m: Graph) => (await (await compile(m)).run({ input: x })).out!.data as Float32Array;
  const ref = await runOut(g);
  const { graph, merged } = await lopMerge(g, { onlyExpanded: false });
  assert.equal(merged, 3);
  assert.deepEqual(
    graph.nodes.map((n) => n.opType),
    ['Gemm'],
  );
  const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(maxDiff(await runOut(graph), ref) <= 1e-5 * scale);
  for (const [name, t] of before.initializers) assert.ok(tensorsEqual(g.initializers.get(name)!, t), name);
});
