/**
 * `reprune bench scale`: the exponent fit, a --quick smoke run that checks the shape of the table and JSON, --cli
 * (another checkout's CLI), and the probe's peak RSS being the child's own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fittedExponent, type PassRun } from '../../src/bench/scale.js';
import { ROOT, runCli, tmpDir } from '../cli/helpers.js';

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
  // reap-pro and l1-pro run only when named: calibration data written at the model's input size, then PRO.
  const passes = ['info', 'l1', 'tiletrans-search', 'lop-expand', 'lop-merge', 'unify', 'reap-pro', 'l1-pro'];
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

test('--cli runs the passes with the given CLI entry; unify is skipped there; a missing entry is named', {
  timeout: 300_000,
}, async () => {
  const out = tmpDir('reprune-scale-cli-');
  const cli = path.join(ROOT, 'src', 'cli', 'run.ts');
  const args = ['--quick', '--models', 'lenet5', '--passes', 'info,unify', '--out', out, '--cli', cli];
  const r = await runCli(['bench', 'scale', ...args], { timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(fs.readFileSync(path.join(out, 'scale.json'), 'utf8')) as { runs: PassRun[] };
  assert.deepEqual(
    json.runs.map((x) => [x.pass, x.status]),
    [
      ['info', 'ok'],
      ['unify', 'skipped'],
    ],
  );
  assert.match(json.runs[1]!.note!, /--cli/);
  const bad = await runCli(['bench', 'scale', '--quick', '--models', 'lenet5', '--cli', path.join(out, 'nope.js')]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--cli .*nope\.js: no such file/);
});

test("the probe reports the child's own peak RSS, not a larger parent's (getrusage survives exec)", {
  skip: process.platform !== 'linux' && 'VmHWM is read from /proc on Linux',
}, () => {
  const big = new Uint8Array(400 * 2 ** 20).fill(1); // this process: over 400 MB resident
  const file = path.join(tmpDir('reprune-probe-'), 'probe.json');
  const probe = pathToFileURL(path.join(ROOT, 'src', 'bench', 'scale-probe.ts')).href;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', probe, '-e', '0'], {
    env: { ...process.env, REPRUNE_SCALE_PROBE: file },
  });
  assert.equal(r.status, 0, String(r.stderr));
  const kb = (JSON.parse(fs.readFileSync(file, 'utf8')) as { maxRssKB: number }).maxRssKB;
  assert.ok(kb > 10 * 1024 && kb < 250 * 1024, `child peak ${kb} KB (parent holds ${big.length >> 20} MB)`);
});

test('a pass over --timeout is killed and reported as a timeout', { timeout: 120_000 }, async () => {
  const out = tmpDir('reprune-scale-timeout-');
  const args = ['--quick', '--models', 'lenet5', '--passes', 'info', '--timeout', '0.05', '--out', out];
  const r = await runCli(['bench', 'scale', ...args], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(fs.readFileSync(path.join(out, 'scale.json'), 'utf8')) as { runs: PassRun[] };
  assert.deepEqual(
    json.runs.map((x) => [x.pass, x.status, x.note]),
    [['info', 'timeout', 'over 0.05 s']],
  );
});
