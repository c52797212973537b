import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../../src/ir/graph.js';
import { f32 } from '../../src/ir/tensor.js';
import { buildModel } from '../../src/models/index.js';
import { decodeModel, encodeModel } from '../../src/onnx/index.js';
import { runPipeline } from '../../src/passes/pipeline.js';
import { lowerUnified } from '../../src/passes/unify/lower.js';
import { projectModel } from '../../src/passes/unify/project-model.js';
import { unifyInfo } from '../../src/passes/unify/info.js';
import { SeededRng } from '../../src/util/random.js';
import { maxAbs, maxDiff, runOn } from '../analysis/helpers.js';

/** A 2-layer fully connected net: Gemm (transB=0, 30 → 20, bias) then MatMul (20 → 7), widths not multiples of 4. */
function fcNet(): Graph {
  const rng = new SeededRng(5);
  const g = new Graph();
  g.name = 'fc';
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 30] }];
  const w1 = g.addInitializer('w1', f32([30, 20], rng.fillNormal(new Float32Array(600))), true);
  const b1 = g.addInitializer('b1', f32([20], rng.fillNormal(new Float32Array(20))), true);
  const w2 = g.addInitializer('w2', f32([20, 7], rng.fillNormal(new Float32Array(140))), true);
  g.add('Gemm', ['x', w1, b1], {}, { name: 'fc1', outputs: ['h'] });
  g.add('Relu', ['h'], {}, { name: 'relu', outputs: ['r'] });
  g.add('MatMul', ['r', w2], {}, { name: 'fc2', outputs: ['y'] });
  g.outputs = [{ name: 'y', dtype: 'float32', shape: ['N', 7] }];
  return g;
}

for (const [name, build, block] of [
  ['mlp (Gemm transB=1), 4x4 blocks', () => buildModel('mlp', { seed: 2 }), { bh: 4, bw: 4 }],
  ['mlp, 1x4 blocks', () => buildModel('mlp', { seed: 2 }), { bh: 1, bw: 4 }],
  ['Gemm transB=0 + MatMul, partial edge blocks', fcNet, { bh: 3, bw: 4 }],
] as const)
  test(`unify-lower equals the unified model: ${name}`, async () => {
    const unified = projectModel(build(), block, { unify: 0.5, prune: 0.3, scope: 'layer' }).graph;
    const r = lowerUnified(unified);
    assert.ok(r.layers.length >= 2, `lowered ${r.layers.length} layers`);
    assert.ok(r.graph.nodes.some((n) => n.opType === 'ReduceSum' && n.name.includes('_ul_')));
    const back = decodeModel(encodeModel(r.graph));
    const [a, b] = [await runOn(unified), await runOn(back)];
    assert.ok(maxDiff(a, b) <= 1e-5 * maxAbs(a), `max|f − g| = ${maxDiff(a, b)}, max|f| = ${maxAbs(a)}`);
    // The block map keeps only layers still in unified (not lowered) form: info stays consistent.
    assert.equal(unifyInfo(r.graph)?.layers.length ?? 0, 0);
  });

test('unify-lower as a pass: plan lists the layers; changed weights and conv layers are left as they are, with why', async () => {
  const unified = projectModel(
    buildModel('lenet5', { seed: 1 }),
    { bh: 1, bw: 4 },
    {
      unify: 0.5,
      prune: 0.2,
      scope: 'layer',
    },
  ).graph;
  const w3 = unified.initializers.get('fc3.weight')!.data as Float32Array;
  w3.forEach((v, i) => {
    w3[i] = v + 0.01 * (i % 3);
  });
  const r = await runPipeline(unified, [{ pass: 'unify-lower' }]);
  const plan = r.plans[0] as unknown as { layers: Array<{ node: string }>; skipped: Record<string, string> };
  assert.deepEqual(
    plan.layers.map((l) => l.node),
    ['fc1', 'fc2'],
  );
  assert.match(plan.skipped.conv1!, /Conv: the lowered form covers fully connected layers/);
  assert.equal(plan.skipped.fc3, 'weights changed since unification');
  const [a, b] = [await runOn(unified), await runOn(r.graph)];
  assert.ok(maxDiff(a, b) <= 1e-5 * maxAbs(a), `diff ${maxDiff(a, b)}`);
});

test('unify-lower with a measure batch: every candidate timed both ways, only faster ones lowered, replay exact', async () => {
  const unified = projectModel(
    buildModel('mlp', { seed: 2 }),
    { bh: 4, bw: 4 },
    { unify: 0.5, prune: 0.3, scope: 'layer' },
  ).graph;
  const { runPass, applyPlan } = await import('../../src/api/passes.js');
  const r = await runPass('unify-lower', unified, { measureBatch: 4 });
  const plan = r.plan as unknown as {
    layers: Array<{ node: string }>;
    decisions: Array<Record<string, unknown>>;
    skipped: Record<string, string>;
  };
  const all = lowerUnified(unified).layers.map((l) => l.node);
  assert.deepEqual(
    plan.decisions.map((d) => d.node),
    all,
  );
  for (const d of plan.decisions) {
    assert.ok((d.denseMs as number) > 0 && (d.loweredMs as number) > 0);
    const kept = plan.layers.some((l) => l.node === d.node);
    assert.equal(kept, d.lowered, `${d.node}`);
    if (!kept) assert.match(plan.skipped[d.node as string]!, /kept dense/);
  }
  const ref = await runOn(unified);
  assert.ok(maxDiff(await runOn(r.graph), ref) <= 1e-5 * maxAbs(ref), 'lowered where faster computes the same');
  // The plan replays without timing: the same layers lowered.
  const replay = await applyPlan(unified, [r.plan]);
  assert.deepEqual(
    replay.graph.nodes.map((n) => n.name),
    r.graph.nodes.map((n) => n.name),
  );
});
