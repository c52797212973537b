import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLopBenchArgs } from '../../src/bench/lop.js';
import { lopMarkdown, summarize } from '../../src/bench/lop-report.js';
import { meanStd } from '../../src/util/stats.js';
import type { LopBenchData, LopRun } from '../../src/bench/lop-run.js';

test('meanStd uses the sample standard deviation', () => {
  const s = meanStd([1, 2, 3, 4]);
  assert.equal(s.mean, 2.5);
  assert.ok(Math.abs(s.std - Math.sqrt(5 / 3)) < 1e-12);
  assert.equal(meanStd([7]).std, 0);
});

test('bench args: --quick defaults, explicit flags, bad mode rejected', () => {
  const q = parseLopBenchArgs(['--quick']);
  assert.deepEqual(q.o.archs, ['lenet5']);
  assert.equal(q.o.epochs, 1);
  const f = parseLopBenchArgs([
    '--archs',
    'vgg-small',
    '--ratios',
    '0.7,0.9',
    '--seeds',
    '4',
    '--limit',
    '500',
    '--out',
    '/tmp/x',
  ]);
  assert.deepEqual(f.o.ratios, [0.7, 0.9]);
  assert.equal(f.o.seeds, 4);
  assert.equal(f.o.limit, 500);
  assert.equal(f.out, '/tmp/x');
  assert.throws(() => parseLopBenchArgs(['--modes', 'lop,magic']), /--modes magic/);
  assert.throws(() => parseLopBenchArgs(['--ratios', '1.2']), /--ratios/);
});

test('report: mean ± std per mode, gaps to vanilla and LOP overhead', () => {
  const run = (mode: LopRun['mode'], seed: number, accuracy: number, seconds: number): LopRun => ({
    arch: 'lenet5',
    ratio: 0.9,
    mode,
    seed,
    accuracy,
    seconds,
    samplesPerSecond: 100,
    trainLoss: 1,
  });
  const d: LopBenchData = {
    dense: { lenet5: { data: 'mnist', accuracy: 0.99, params: 1000, file: 'x' } },
    pruned: { 'lenet5@0.9': { accuracy: 0.2, params: 100, channels: {} } },
    runs: [
      run('vanilla', 0, 0.8, 1),
      run('vanilla', 1, 0.9, 1),
      run('lop+spkd', 0, 0.9, 3),
      run('lop+spkd', 1, 0.95, 3),
      { ...run('lop', 0, NaN, 2), diverged: true },
    ],
  };
  const rows = summarize(d.runs);
  assert.equal(rows.length, 3);
  assert.ok(Math.abs(rows[0]!.accuracy.mean - 0.85) < 1e-12);
  const md = lopMarkdown(d, '# t').join('\n');
  assert.match(md, /\| vanilla \| 85\.00 ± 7\.07 \(n=2\) \|/);
  assert.match(md, /Δ lop\+spkd − vanilla \(points\) \| \+7\.50 \|/);
  assert.match(md, /lop\+spkd \/ vanilla\+spkd \| — \|/);
  assert.match(md, /\| lop \| 1 diverged \|/);
  assert.match(md, /Δ lop − vanilla \(points\) \| — \|/);
});

test('bench lop: γ fixed by default, by the share rule with --sp-share; each run records its γ and the table shows it', async () => {
  const { DEFAULT_SP_GAMMA } = await import('../../src/passes/lop/spec.js');
  const { runLopBench } = await import('../../src/bench/lop-run.js');
  const dflt = parseLopBenchArgs([]);
  assert.deepEqual([dflt.o.spGamma, dflt.o.spShare], [undefined, undefined], 'the finetune pass’s default γ');
  assert.equal(DEFAULT_SP_GAMMA, 300);
  assert.throws(() => parseLopBenchArgs(['--sp-gamma', '300', '--sp-share', '1']), /give one/);
  assert.equal(parseLopBenchArgs(['--sp-share', '2']).o.spShare, 2);
  assert.equal(parseLopBenchArgs(['--sp-gamma', '300']).o.spGamma, 300);
  const { o } = parseLopBenchArgs([
    ...['--quick', '--ratios', '0.5', '--seeds', '1', '--modes', 'vanilla,lop+spkd', '--sp-share', '1'],
    ...['--limit', '256', '--eval-limit', '200', '--dense-epochs', '1', '--dense-limit', '2048'],
  ]);
  const d = await runLopBench({ ...o, log: () => {} });
  const spkd = d.runs.find((r) => r.mode === 'lop+spkd')!;
  assert.ok(spkd.spGamma! > 0 && Number.isFinite(spkd.spGamma), `γ ${spkd.spGamma}`);
  assert.equal(d.runs.find((r) => r.mode === 'vanilla')!.spGamma, undefined);
  const md = lopMarkdown(d, '# t').join('\n');
  assert.match(md, new RegExp(`\\| SP-KD γ of lop\\+spkd \\| ${spkd.spGamma!.toFixed(0)} \\|`));
  assert.match(md, /\| lop\+spkd mean − std > vanilla mean \| (yes|no) \|/);
});
