/** `reprune bench scale`: the exponent fit, and a --quick smoke run that checks the shape of the table and JSON. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fittedExponent, type PassRun } from '../../src/bench/scale.js';
import { runCli, tmpDir } from '../cli/helpers.js';

test('fittedExponent recovers the power of t = c·p^k and needs two sizes', () => {
  const runs = (k: number): PassRun[] =>
    [1e5, 1e6, 3e7].map((p) => ({ model: String(p), params: p, pass: 'x', seconds: 2e-6 * p ** k, status: 'ok' }));
  assert.ok(Math.abs(fittedExponent(runs(1))! - 1) < 1e-9);
  assert.ok(Math.abs(fittedExponent(runs(1.5))! - 1.5) < 1e-9);
  assert.equal(fittedExponent(runs(1).slice(0, 1)), undefined);
  const withFailure = [...runs(1), { model: 'y', params: 5e8, pass: 'x', status: 'timeout' } as PassRun];
  assert.ok(Math.abs(fittedExponent(withFailure)! - 1) < 1e-9, 'failed runs are left out of the fit');
});

test('--quick: every model × pass has a row with time and peak RSS, and an exponent per pass', {
  timeout: 600_000,
}, async () => {
  const out = tmpDir('reprune-scale-');
  // reap-pro runs only when named: calibration data written at the model's input size, then REAP + PRO.
  const passes = ['info', 'l1', 'tiletrans-search', 'lop-expand', 'lop-merge', 'unify', 'reap-pro'];
  const args = ['--quick', '--models', 'tiny-stack,lenet5', '--passes', passes.join(','), '--out', out];
  const r = await runCli(['bench', 'scale', ...args], { timeoutMs: 600_000 });
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(fs.readFileSync(path.join(out, 'scale.json'), 'utf8')) as {
    runs: PassRun[];
    ort: Record<string, number>;
    exponents: Record<string, number | null>;
  };
  assert.equal(json.runs.length, 2 * passes.length);
  for (const r of json.runs) {
    assert.equal(r.status, 'ok', `${r.model} ${r.pass}: ${r.note}`);
    assert.ok(r.seconds! > 0 && r.maxRssMB! > 10, `${r.model} ${r.pass}: time and RSS measured`);
  }
  assert.deepEqual(Object.keys(json.exponents), passes);
  for (const p of passes) assert.equal(typeof json.exponents[p], 'number', p);
  assert.ok(json.ort['tiny-stack']! > 0 && json.ort.lenet5! > 0);
  const md = fs.readFileSync(path.join(out, 'scale.md'), 'utf8');
  assert.match(
    md,
    /\| model \| params \| pass \| seconds \| peak RSS \(MB\) \| RSS \/ model size \| ORT load\+run \(s\) \|/,
  );
  assert.equal(md.split('\n').filter((l) => /^\| (tiny-stack|lenet5) \|/.test(l)).length, 2 * passes.length);
});
