/** `reprune bench unify`: a --quick smoke run of one setting with an explicit ADMM schedule and --stem. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, tmpDir } from '../cli/helpers.js';

test('--quick with a schedule: one gradual (the bench’s challenger) row and one one-shot row at equal epochs, in the stem named', {
  timeout: 600_000,
}, async () => {
  const out = tmpDir('reprune-unify-bench-');
  const args = ['--quick', '--archs', 'mlp', '--blocks', '1x4', '--settings', '0.5:0.3'];
  const schedule = [
    '--admm-rounds',
    '1',
    '--retrain-epochs',
    '1',
    '--rho',
    '0.05',
    '--scope',
    'global',
    '--lr',
    '0.02',
  ];
  const r = await runCli(['bench', 'unify', ...args, ...schedule, '--stem', 'smoke', '--out', out], {
    timeoutMs: 600_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(fs.readFileSync(path.join(out, 'smoke.json'), 'utf8')) as {
    rows: Array<Record<string, number | string>>;
  };
  assert.deepEqual(
    json.rows.map((x) => x.mode),
    ['gradual', 'oneshot'],
  );
  for (const row of json.rows) {
    assert.equal(row.epochs, 2, `${row.mode}: 1 ramp epoch + 1 retraining epoch, or 2 one-shot epochs`);
    assert.equal(row.lr, 0.02, `${row.mode}: every run trains at --lr`);
    assert.ok((row.accuracy as number) > 0.5 && (row.accuracy as number) <= 1, `${row.mode} accuracy`);
    assert.ok((row.bitsSaved as number) > 0.6, `${row.mode}: 50 % unified + 30 % pruned saves most bits`);
  }
  const md = fs.readFileSync(path.join(out, 'smoke.md'), 'utf8');
  assert.match(md, /--rho 0\.05 --scope global/);
  assert.match(md, /^# gradual unification vs one-shot \(smoke\)/);
  assert.match(md, /\| gradual − one-shot \|/);
  assert.equal(md.split('\n').filter((l) => l.startsWith('| mlp | 1x4 | 0.5 | 0.3 |')).length, 1);
  assert.ok(!fs.existsSync(path.join(out, 'unify.md')), 'the standard table is not overwritten');
});
