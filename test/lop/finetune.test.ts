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

test('SP-KD γ: 300 unless a share is given; the share rule sets γ = share·CE₀/SP₀ and trains exactly like that γ fixed', async () => {
  const { FINETUNE_SPEC } = await import('../../src/passes/finetune/spec.js');
  const { DEFAULT_SP_GAMMA } = await import('../../src/passes/lop/spec.js');
  assert.equal(FINETUNE_SPEC.options.spGamma.default, DEFAULT_SP_GAMMA);
  assert.equal(DEFAULT_SP_GAMMA, 300);
  assert.equal(FINETUNE_SPEC.options.spShare.default, undefined, 'the rule is opt-in');
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
  assert.deepEqual(omitted.sp, { gamma: 300, rule: 'fixed' });
  assert.deepEqual((await run({ spGamma: 300 })).w, omitted.w);
  const share = await run({ spShare: 1 });
  assert.equal(share.sp.rule, 'share');
  if (share.sp.rule !== 'share') return;
  assert.equal(share.sp.samples, 128, 'two full batches of 64 from the first 128 samples');
  assert.ok(share.sp.ce > 1 && share.sp.sp > 0, `CE₀ ${share.sp.ce}, SP₀ ${share.sp.sp}`);
  assert.ok(Math.abs(share.sp.gamma - share.sp.ce / share.sp.sp) < 1e-9 * share.sp.gamma);
  const fixed = await run({ spGamma: share.sp.gamma });
  assert.deepEqual(fixed.w, share.w, 'the rule’s γ is not the γ that trained');
  const doubled = await run({ spShare: 2 });
  assert.ok(doubled.sp.rule === 'share' && Math.abs(doubled.sp.gamma / share.sp.gamma - 2) < 1e-9);
  await assert.rejects(run({ spGamma: 300, spShare: 1 }), /not both/);
});
