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

test('SP-KD γ by default follows the share rule: γ = share·CE₀/SP₀, and training with it equals training with that γ fixed', async () => {
  const { FINETUNE_SPEC } = await import('../../src/passes/finetune/spec.js');
  const { DEFAULT_SP_SHARE } = await import('../../src/passes/lop/spec.js');
  assert.equal(FINETUNE_SPEC.options.spShare.default, DEFAULT_SP_SHARE);
  assert.equal(FINETUNE_SPEC.options.spGamma.default, undefined, 'a fixed γ default would override the rule');
  const ds = take(loadDataset('mnist', 'train'), 128);
  const teacher = buildModel('lenet5', { seed: 3 });
  const run = async (o: { spGamma?: number; spShare?: number }) => {
    const res = await lopFinetune(buildModel('lenet5', { seed: 4 }), ds, {
      lop: false,
      teacher,
      ...o,
      epochs: 1,
      batchSize: 64,
      lr: 0.01,
      seed: 0,
      progress: false,
    });
    return { w: res.graph.initializers.get('conv1.weight')!.data as Float32Array, sp: res.sp! };
  };
  const omitted = await run({});
  assert.equal(omitted.sp.rule, 'share');
  if (omitted.sp.rule !== 'share') return;
  assert.equal(omitted.sp.share, DEFAULT_SP_SHARE);
  assert.equal(omitted.sp.samples, 128, 'two full batches of 64 from the first 128 samples');
  assert.ok(omitted.sp.ce > 1 && omitted.sp.sp > 0, `CE₀ ${omitted.sp.ce}, SP₀ ${omitted.sp.sp}`);
  assert.ok(Math.abs(omitted.sp.gamma - (DEFAULT_SP_SHARE * omitted.sp.ce) / omitted.sp.sp) < 1e-9 * omitted.sp.gamma);
  const fixed = await run({ spGamma: omitted.sp.gamma });
  assert.deepEqual(fixed.sp, { gamma: omitted.sp.gamma, rule: 'fixed' });
  assert.deepEqual(omitted.w, fixed.w, 'the rule’s γ is not the γ that trained');
  const doubled = await run({ spShare: 2 * DEFAULT_SP_SHARE });
  assert.ok(doubled.sp.rule === 'share' && Math.abs(doubled.sp.gamma / omitted.sp.gamma - 2) < 1e-9);
  assert.notDeepEqual(doubled.w, omitted.w);
});
