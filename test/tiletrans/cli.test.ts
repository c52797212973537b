import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildModel } from '../../src/models/index.js';
import { saveOnnx, loadOnnx } from '../../src/onnx/index.js';
import { maxAbs, maxDiff, runOn } from '../analysis/helpers.js';

const cli = ['--import', 'tsx', path.resolve('src/cli/run.ts')];

test('reprune prune --method tile --tiletrans=search --json, and reparam keeps the function', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'reprune-tt-'));
  const inp = path.join(dir, 'lenet5.onnx');
  saveOnnx(buildModel('lenet5', { seed: 1 }), inp);
  const out = execFileSync(
    process.execPath,
    [
      ...cli,
      'prune',
      inp,
      '-o',
      path.join(dir, 'p.onnx'),
      '--method',
      'tile',
      '--tile',
      '8x1',
      '--sparsity',
      '0.6',
      '--tiletrans=search',
      '--lower',
      '--plot',
      path.join(dir, 'p.svg'),
      '--json',
    ],
    { encoding: 'utf8' },
  );
  const s = JSON.parse(out) as {
    sparsity: number;
    importanceKept: number;
    tiletrans: { importanceKept: { identity: number; search: number } };
  };
  assert.ok(Math.abs(s.sparsity - 0.6) < 0.05);
  assert.ok(s.tiletrans.importanceKept.search >= s.tiletrans.importanceKept.identity);
  assert.match(readFileSync(path.join(dir, 'p.svg'), 'utf8'), /^<svg/);
  execFileSync(process.execPath, [...cli, 'reparam', inp, '-o', path.join(dir, 'r.onnx'), '--transform', 'tiletrans'], {
    encoding: 'utf8',
    stdio: 'pipe',
  });
  const a = await runOn(loadOnnx(inp));
  const b = await runOn(loadOnnx(path.join(dir, 'r.onnx')));
  assert.ok(maxDiff(a, b) <= 1e-4 * maxAbs(a));
});
