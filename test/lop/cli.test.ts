import { after, test } from 'node:test';
import * as fs from 'node:fs';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { buildModel } from '../../src/models/index.js';
import { loadModelChecked } from '../../src/onnx/prepare.js';
import { saveOnnx } from '../../src/onnx/save.js';
import { architectureDifference } from '../../src/passes/lop/architecture.js';
import { pruneStructured } from '../../src/passes/cut/prune.js';
import { isCleanError, runCli, tmpDir } from '../cli/helpers.js';

const dir = tmpDir('reprune-lop-');
const dense = path.join(dir, 'dense.onnx');
const pruned = path.join(dir, 'pruned.onnx');
const teacher = buildModel('lenet5', { seed: 1 });
saveOnnx(teacher, dense);
saveOnnx(pruneStructured(teacher, { method: 'l1', ratio: 0.5 }).graph, pruned);
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const tiny = ['--data', 'mnist', '--limit', '256', '--eval-limit', '256', '--epochs', '1', '--batch', '64'];

test('finetune --lop --teacher: the saved model has exactly the pruned input architecture', async () => {
  const out = path.join(dir, 'lop.onnx');
  const r = await runCli(
    [
      'finetune',
      pruned,
      ...tiny,
      '--lop',
      '--expand',
      '2',
      '--teacher',
      dense,
      '--sp-gamma',
      '100',
      '-o',
      out,
      '--json',
    ],
    { timeoutMs: 120_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(s.mode, 'lop+spkd');
  for (const k of ['accuracy', 'epochs', 'seconds', 'samplesPerSecond']) assert.equal(typeof s[k], 'number', k);
  assert.equal(s.epochs, 1);
  const input = loadModelChecked(pruned),
    output = loadModelChecked(out);
  assert.equal(architectureDifference(input, output), undefined);
  assert.equal(output.nodes.length, input.nodes.length);
  for (const [name, t] of input.initializers) assert.deepEqual(output.initializers.get(name)?.dims, t.dims, name);
  // Training moved the weights (the run is not a no-op that trivially keeps the architecture).
  const w = (g: typeof input) => g.initializers.get('conv2.weight')!.data as Float32Array;
  assert.ok(w(input).some((v, i) => Math.abs(v - w(output)[i]!) > 1e-6));
});

test('finetune: plain mode reports vanilla; --expand without --lop is a clean error', async () => {
  const out = path.join(dir, 'vanilla.onnx');
  const r = await runCli(['finetune', pruned, ...tiny, '-o', out, '--json'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { mode: string }).mode, 'vanilla');
  const bad = await runCli(['finetune', pruned, ...tiny, '--expand', '2', '-o', path.join(dir, 'bad.onnx')]);
  assert.ok(isCleanError(bad), bad.stderr);
  assert.match(bad.stderr, /--expand needs --lop/);
});

test('architectureDifference names a changed weight shape', () => {
  const a = loadModelChecked(pruned);
  const b = a.clone();
  const w = b.initializers.get('fc1.weight')!;
  b.initializers.set('fc1.weight', { ...w, dims: [w.dims[0]! + 1, w.dims[1]!] });
  assert.match(architectureDifference(a, b) ?? '', /fc1\.weight/);
});

test('finetune --teacher --sp-share: γ from the share rule (reported with its losses); --sp-gamma with --sp-share is refused', async () => {
  const out = path.join(dir, 'share.onnx');
  const r = await runCli(['finetune', pruned, ...tiny, '--teacher', dense, '--sp-share', '1', '-o', out, '--json'], {
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { spGamma: number; sp: { rule: string; share: number; ce: number; sp: number } };
  assert.equal(s.sp.rule, 'share');
  assert.ok(Math.abs(s.spGamma - (s.sp.share * s.sp.ce) / s.sp.sp) <= 1e-9 * s.spGamma, JSON.stringify(s.sp));
  const both = await runCli(
    [
      'finetune',
      pruned,
      ...tiny,
      '--teacher',
      dense,
      '--sp-gamma',
      '300',
      '--sp-share',
      '2',
      '-o',
      path.join(dir, 'x.onnx'),
    ],
    { timeoutMs: 60_000 },
  );
  assert.equal(both.code, 2, both.stderr);
  assert.ok(isCleanError(both) && /--sp-gamma and --sp-share/.test(both.stderr), both.stderr);
  assert.ok(!fs.existsSync(path.join(dir, 'x.onnx')));
  const noTeacher = await runCli(['finetune', pruned, ...tiny, '--sp-share', '2', '-o', path.join(dir, 'y.onnx')]);
  assert.match(noTeacher.stderr, /--sp-gamma\/--sp-share\/--sp-layers need --teacher/);
});
