/**
 * TT forms chosen by measured latency: every chained layer gets both timings and a form; the conversion builds exactly
 * the chosen forms and both forms compute the same function; TEDEPR's 'auto' records the choice in its plan, and a
 * replay from JSON builds the same forms without timing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset } from '../../src/data/sources.js';
import { buildModel } from '../../src/models/index.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { loadPass } from '../../src/passes/registry.js';
import { resolveOptions } from '../../src/passes/options.js';
import type { TedeprPlan } from '../../src/passes/tedepr/pass.js';
import { chooseFcForms, ttConvert, ttLayersOf } from '../../src/passes/tt/index.js';
import { compile } from '../../src/runtime/session.js';
import { f32 } from '../../src/ir/tensor.js';
import { SeededRng } from '../../src/util/random.js';

test('chooseFcForms times each chained layer both ways; ttConvert builds the chosen forms, equal in function', async () => {
  const g = buildModel('mlp', { seed: 1 });
  const opts = { rank: 4, init: 'svd' as const };
  const choices = await chooseFcForms(g, opts, 8, 3);
  const chained = ttConvert(g, { ...opts, fcForm: 'chain' }).layers.map((l) => l.node);
  assert.deepEqual(
    choices.map((c) => c.node),
    chained,
  );
  for (const c of choices) assert.ok(c.chainMs > 0 && c.reconstructMs > 0, `${c.node} timed`);
  // Force a mix so both forms appear whatever this machine measured.
  const forms = Object.fromEntries(chained.map((n, i) => [n, i % 2 ? 'reconstruct' : 'chain'] as const));
  const mixed = ttConvert(g, { ...opts, fcForms: forms });
  assert.deepEqual(Object.fromEntries(mixed.layers.map((l) => [l.node, l.form])), forms);
  const chain = ttConvert(g, { ...opts, fcForm: 'chain' }).graph;
  const x = { input: f32([4, 784], new SeededRng(2).fillUniform(new Float32Array(4 * 784))) };
  const name = g.outputs[0]!.name;
  const a = (await (await compile(chain)).run(x))[name]!.data as Float32Array;
  const b = (await (await compile(mixed.graph)).run(x))[name]!.data as Float32Array;
  let err = 0,
    scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(a[i]!));
  }
  assert.ok(err <= 1e-4 * scale, `max |chain − mixed| ${err} of ${scale}`);
});

test("tedepr --tt-form auto: the plan records each layer's timings and form; a JSON replay builds the same model", async () => {
  const pass = await loadPass('tedepr');
  const data = loadDataset('mnist', 'train', { limit: 128 });
  const o = resolveOptions(pass, {
    sparsity: 0.9,
    ttRank: '4',
    ttForm: 'auto',
    score: 'magnitude',
    epochs: 1,
    batch: 64,
  });
  const g = buildModel('mlp', { seed: 1 });
  const plan = (await pass.plan(g, o, { data })) as TedeprPlan;
  const choices = plan.decision.formChoices!;
  assert.ok(choices.length > 0);
  for (const c of choices) assert.ok(['chain', 'reconstruct'].includes(c.form) && c.chainMs > 0 && c.reconstructMs > 0);
  const direct = await pass.apply(g, plan, { data });
  const replay = await pass.apply(g, JSON.parse(JSON.stringify(plan)), { data });
  assert.deepEqual(
    ttLayersOf(direct.graph).map((l) => [l.node, l.form]),
    choices.map((c) => [c.node, c.form]),
  );
  assert.ok(Buffer.from(encodeModel(replay.graph)).equals(Buffer.from(encodeModel(direct.graph))));
});
