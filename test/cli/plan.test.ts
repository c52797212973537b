/** `--save-plan` / `--plan`: a saved plan replays to the same bytes, and refuses a model it was not made for. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildModel } from '../../src/models/index.js';
import { saveOnnx } from '../../src/onnx/save.js';
import { isCleanError, runCli, tmpDir } from './helpers.js';

test('prune --save-plan then --plan gives the same model; another model is refused', async () => {
  const dir = tmpDir();
  const model = path.join(dir, 'l.onnx');
  const other = path.join(dir, 'other.onnx');
  saveOnnx(buildModel('lenet5', { seed: 1 }), model);
  saveOnnx(buildModel('lenet5', { seed: 2 }), other);
  const plan = path.join(dir, 'plan.json');
  const a = await runCli([
    'prune',
    model,
    '-o',
    path.join(dir, 'a.onnx'),
    '--method',
    'reap',
    '--pro',
    '--budget-macs',
    '0.6',
    '--data',
    'mnist',
    '--calib',
    '128',
    '--save-plan',
    plan,
    '--json',
  ]);
  assert.equal(a.code, 0, a.stderr);
  const saved = JSON.parse(readFileSync(plan, 'utf8'));
  assert.equal(saved.format, 'reprune-plan');
  assert.deepEqual(
    saved.steps.map((s: { pass: string }) => s.pass),
    ['channels'],
  );
  const b = await runCli(['prune', model, '-o', path.join(dir, 'b.onnx'), '--plan', plan, '--json']);
  assert.equal(b.code, 0, b.stderr);
  assert.ok(
    readFileSync(path.join(dir, 'a.onnx')).equals(readFileSync(path.join(dir, 'b.onnx'))),
    'replayed model is byte-identical',
  );
  const c = await runCli(['prune', other, '-o', path.join(dir, 'c.onnx'), '--plan', plan]);
  assert.ok(isCleanError(c), c.stderr);
  assert.match(c.stderr, /the plan was made for another model/);
  const d = await runCli([
    'prune',
    model,
    '-o',
    path.join(dir, 'd.onnx'),
    '--method',
    'l1',
    '--ratio',
    '0.5',
    '--save-plan',
    model,
  ]);
  assert.ok(isCleanError(d), d.stderr);
  assert.match(d.stderr, /--save-plan .*same file as the input model/);
});
