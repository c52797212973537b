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
