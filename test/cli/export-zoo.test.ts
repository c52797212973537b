import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCleanError, runCli, tmpDir } from './helpers.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { buildModel } from '../../src/models/index.js';
import { encodeModel } from '../../src/onnx/encode.js';

describe('reprune export-zoo', () => {
  const dir = tmpDir();

  test('writes the seeded zoo model bit for bit, and info/eval accept it', async () => {
    const out = path.join(dir, 'lenet.onnx');
    const r = await runCli(['export-zoo', 'lenet5', '-o', out, '--seed', '3']);
    assert.equal(r.code, 0, r.stderr);
    const bytes = fs.readFileSync(out);
    assert.ok(
      Buffer.from(encodeModel(buildModel('lenet5', { seed: 3 }))).equals(bytes),
      'file differs from encodeModel(buildModel(...))',
    );
    assert.equal(decodeModel(bytes).name, 'lenet5');
    const [info, ev] = await Promise.all([
      runCli(['info', out, '--json']),
      runCli(['eval', out, '--data', 'mnist', '--limit', '100', '--json']),
    ]);
    assert.equal(JSON.parse(info.stdout).totals.params, 61706);
    assert.equal(JSON.parse(ev.stdout).samples, 100);
  });

  test('refuses to overwrite without --force, replaces with it', async () => {
    const out = path.join(dir, 'mlp.onnx');
    fs.writeFileSync(out, 'keep me');
    const refused = await runCli(['export-zoo', 'mlp', '-o', out]);
    assert.ok(isCleanError(refused), refused.stderr);
    assert.match(refused.stderr, /file exists; pass --force/);
    assert.equal(fs.readFileSync(out, 'utf8'), 'keep me');
    const forced = await runCli(['export-zoo', 'mlp', '-o', out, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(decodeModel(fs.readFileSync(out)).inputs[0]!.shape!.length, 2);
  });

  test('unknown arch, missing folder and directory outputs fail cleanly and write nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['export-zoo', 'resnet-9000', '-o', path.join(dir, 'x.onnx')], /unknown architecture.*lenet5/],
      [['export-zoo', 'mlp', '-o', path.join(dir, 'no', 'such', 'x.onnx')], /does not exist/],
      [['export-zoo', 'mlp', '-o', dir], /is a directory/],
      [['export-zoo', 'mlp', '-o', path.join(dir, 'y.onnx'), '--seed', '-1'], /--seed -1/],
    ];
    const before = fs.readdirSync(dir).sort();
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((r, i) => {
      assert.ok(isCleanError(r), `${cases[i]![0].join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, cases[i]![1]);
    });
    assert.deepEqual(fs.readdirSync(dir).sort(), before);
  });
});
