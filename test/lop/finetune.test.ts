import { test } from 'node:test';
import assert from 'node:assert/strict';
import { take } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/sources.js';
import { buildModel } from '../../src/models/index.js';
import { defaultSpLayers, lopFinetune } from '../../src/passes/lop/finetune.js';

const arch = (g: import('../../src/ir/graph.js').Graph) => ({
  nodes: g.nodes.map((n) => [n.name, n.opType, n.inputs, n.outputs]),
  shapes: [...g.initializers].map(([k, t]) => [k, t.dims]).sort(),
});

test('LOP + SP-KD fine-tuning returns exactly the input architecture, with changed weights', async () => {
  const ds = take(loadDataset('mnist', 'train'), 256);
  const teacher = buildModel('lenet5', { seed: 3 });
  const student = buildModel('lenet5', { seed: 4 });
  const layers = defaultSpLayers(student);
  assert.ok(layers.length >= 2, `SP-KD layers: ${layers.join(', ')}`);
  const res = await lopFinetune(student, ds, {
    lop: true,
    expand: 2,
    teacher,
    spGamma: 3000,
    epochs: 1,
    batchSize: 32,
    lr: 0.01,
    seed: 1,
  });
  assert.deepEqual(arch(res.graph), arch(student));
  assert.ok(res.expandReport!.expanded.length >= 4);
  const w0 = student.initializers.get(student.nodes.find((n) => n.opType === 'Conv')!.inputs[1]!)!.data as Float32Array;
  const w1 = res.graph.initializers.get(student.nodes.find((n) => n.opType === 'Conv')!.inputs[1]!)!
    .data as Float32Array;
  assert.ok(
    w0.some((v, i) => Math.abs(v - w1[i]!) > 1e-6),
    'training changed the first conv',
  );
  assert.ok(Number.isFinite(res.history[0]!.loss));
});

test('SP-KD γ defaults to 300 everywhere: an omitted γ trains exactly like γ = 300, not like 3000', async () => {
  const { DEFAULT_SP_GAMMA } = await import('../../src/passes/lop/finetune.js');
  const { FINETUNE_SPEC } = await import('../../src/passes/finetune/spec.js');
  assert.equal(DEFAULT_SP_GAMMA, 300);
  assert.equal(FINETUNE_SPEC.options.spGamma.default, DEFAULT_SP_GAMMA);
  const ds = take(loadDataset('mnist', 'train'), 128);
  const teacher = buildModel('lenet5', { seed: 3 });
  const run = async (spGamma?: number) => {
    const res = await lopFinetune(buildModel('lenet5', { seed: 4 }), ds, {
      lop: false,
      teacher,
      spGamma,
      epochs: 1,
      batchSize: 64,
      lr: 0.01,
      seed: 0,
      progress: false,
    });
    return res.graph.initializers.get('conv1.weight')!.data as Float32Array;
  };
  const [omitted, explicit, paper] = [await run(), await run(300), await run(3000)];
  assert.deepEqual(omitted, explicit);
  assert.notDeepEqual(omitted, paper);
});
