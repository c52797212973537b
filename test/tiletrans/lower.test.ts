import { test } from 'node:test';
import assert from 'node:assert/strict';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32 } from '../../src/ir/tensor.js';
import { buildModel } from '../../src/models/index.js';
import { lowerTileSparse } from '../../src/passes/tile/lower.js';
import { tilePrune } from '../../src/passes/tile/prune.js';
import { tileTrans } from '../../src/passes/tiletrans/index.js';
import { gemmModel } from '../../src/bench/tiletrans-speed.js';
import { SeededRng } from '../../src/util/random.js';
import { maxAbs, maxDiff, runOn } from '../analysis/helpers.js';

for (const [name, build, th, tw] of [
  ['gemm 256 128x1', () => gemmModel(256), 128, 1],
  ['gemm 256 1x16', () => gemmModel(256), 1, 16],
  ['lenet5 (conv + gemm) 8x1', () => buildModel('lenet5', { seed: 4 }), 8, 1],
  ['mlp 16x16 after tiletrans', () => tileTrans(buildModel('mlp', { seed: 4 }), { mode: 'sort' }).graph, 16, 16],
] as const)
  for (const batch of [true, false]) {
    test(`lowered model equals the masked model: ${name}${batch ? ', batched' : ''}`, async () => {
      const g = tilePrune(build(), { pattern: { kind: 'tile', th, tw }, sparsity: 0.75 }).graph;
      const { graph: low, layers: done } = lowerTileSparse(g, { maxDensity: 1, minRows: 8, batch });
      assert.ok(done.length >= 1);
      if (!batch) assert.ok(done.every((d) => d.kernels === d.groups));
      assert.ok(low.nodes.some((n) => n.name.includes('_lw_')));
      const a = await runOn(g);
      const b = await runOn(low);
      assert.ok(maxDiff(a, b) <= 1e-5 * maxAbs(a), `diff ${maxDiff(a, b)}`);
    });
  }

test('batched lowering turns equal-height row groups into one batched MatMul / grouped Conv', () => {
  const g = tilePrune(gemmModel(256), { pattern: { kind: 'tile', th: 32, tw: 1 }, sparsity: 0.75 }).graph;
  const {
    graph: low,
    layers: [d],
  } = lowerTileSparse(g, { maxDensity: 1, minRows: 8 });
  assert.equal(d!.groups, 8);
  assert.ok(d!.kernels < d!.groups, `${d!.kernels} kernels for ${d!.groups} groups`);
  const mm = low.nodes.filter((n) => n.opType === 'MatMul');
  assert.ok(
    mm.some((n) => low.initializers.get(n.inputs[0]!)?.dims.length === 3),
    'a 3-D (batched) weight',
  );
});

/** One 3×3 Conv, 64 → 32 channels, with a bias: row groups of tile height share their input channels. */
function convModel(): Graph {
  const rng = new SeededRng(3);
  const g = new Graph();
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 32, 6, 6] }];
  const w = g.addInitializer(
    'conv.weight',
    f32([64, 32, 3, 3], rng.fillNormal(new Float32Array(64 * 32 * 9), 0, 0.2)),
    true,
  );
  const b = g.addInitializer('conv.bias', f32([64], rng.fillNormal(new Float32Array(64), 0, 0.1)), true);
  g.add('Conv', ['x', w, b], { pads: A.ints([1, 1, 1, 1]) }, { name: 'conv', outputs: ['y'] });
  g.outputs = [{ name: 'y', dtype: 'float32', shape: ['N', 64, 6, 6] }];
  return g;
}

test('batched lowering of a Conv is one grouped Conv and equals the masked model', async () => {
  // 16x9 tiles in the [64, 32·9] GEMM view: a pruned tile removes one input channel from 16 output channels.
  const g = tilePrune(convModel(), { pattern: { kind: 'tile', th: 16, tw: 9 }, sparsity: 0.6 }).graph;
  const {
    graph: low,
    layers: [d],
  } = lowerTileSparse(g, { maxDensity: 1, minRows: 16 });
  assert.ok(d!.kernels < d!.groups, `${d!.kernels} kernels for ${d!.groups} groups`);
  assert.ok(
    low.nodes.some((n) => n.opType === 'Conv' && (n.attrs.group?.kind === 'int' ? n.attrs.group.value : 1) > 1),
    'a grouped Conv',
  );
  const a = await runOn(g);
  const b = await runOn(low);
  assert.ok(maxDiff(a, b) <= 1e-5 * maxAbs(a), `diff ${maxDiff(a, b)}`);
});
