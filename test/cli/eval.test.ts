import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCleanError, runCli, tmpDir } from './helpers.js';
import { tinyConvNet, writeModel } from './models.js';
import { parseNormalize } from '../../src/cli/commands/eval.js';
import { ReproError } from '../../src/util/errors.js';

describe('reprune eval', () => {
  const dir = tmpDir();
  const model = writeModel(dir, 'tiny.onnx', tinyConvNet());

  test('--json prints accuracy, loss and samples on MNIST', async () => {
    const r = await runCli(['eval', model, '--data', 'mnist', '--limit', '300', '--batch', '64', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.samples, 300);
    assert.ok(j.accuracy >= 0 && j.accuracy <= 1);
    assert.ok(Number.isFinite(j.loss) && j.loss > 0);
    assert.ok(j.msPerBatch >= 0);
    assert.equal(j.split, 'test');
  });

  test('same result with --batch 1 as with --batch 300 (batching does not change the numbers)', async () => {
    const [a, b] = await Promise.all([
      runCli(['eval', model, '--data', 'mnist', '--limit', '40', '--batch', '1', '--json']),
      runCli(['eval', model, '--data', 'mnist', '--limit', '40', '--batch', '300', '--json']),
    ]);
    const ja = JSON.parse(a.stdout);
    const jb = JSON.parse(b.stdout);
    assert.equal(ja.accuracy, jb.accuracy);
    assert.ok(Math.abs(ja.loss - jb.loss) < 1e-9);
  });

  test('text output names accuracy and sample count', async () => {
    const r = await runCli([
      'eval',
      model,
      '--data',
      'mnist',
      '--split',
      'train',
      '--limit',
      '50',
      '--normalize',
      '0.1307,0.3081',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /train, 50 samples\): accuracy \d+\.\d\d%, loss \d+\.\d{4}/);
  });

  test('wrong input shape for the data, bad flags and missing files fail cleanly', async () => {
    const wrong = writeModel(dir, 'rgb.onnx', tinyConvNet(['N', 3, 32, 32]));
    const cases: Array<[string[], RegExp]> = [
      [
        ['eval', wrong, '--data', 'mnist', '--limit', '10'],
        /model input 'x' has shape \[N, 3, 32, 32\] but mnist\S* samples have shape \[1, 28, 28\]/,
      ],
      [['eval', path.join(dir, 'none.onnx'), '--data', 'mnist'], /no such file/],
      [['eval', model, '--data', path.join(dir, 'nodata')], /--data .*nodata/],
      [['eval', model, '--data', 'mnist', '--split', 'valid'], /--split valid/],
      [['eval', model, '--data', 'mnist', '--limit', '0'], /--limit 0/],
      [['eval', model, '--data', 'mnist', '--normalize', '0.5'], /--normalize 0\.5/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((r, i) => {
      assert.ok(isCleanError(r), `${cases[i]![0].join(' ')}: code ${r.code}, stderr ${r.stderr}`);
      assert.match(r.stderr, cases[i]![1]);
    });
    assert.deepEqual(fs.readdirSync(dir).sort(), ['rgb.onnx', 'tiny.onnx']);
  });

  test('parseNormalize accepts MEAN,STD and refuses the rest', () => {
    assert.deepEqual(parseNormalize('0.1307, 0.3081'), { mean: 0.1307, std: 0.3081 });
    for (const bad of ['1', '1,0', '1,-2', 'a,b', '1,2,3', ',1', 'NaN,1'])
      assert.throws(() => parseNormalize(bad), ReproError, bad);
  });
});
