import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCleanError, runCli, tmpDir } from './helpers.js';
import { tinyConvNet, writeModel } from './models.js';

describe('reprune info', () => {
  const dir = tmpDir();
  const model = writeModel(dir, 'tiny.onnx', tinyConvNet());

  test('--json reports layers and totals that match the weights', async () => {
    const r = await runCli(['info', model, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(
      j.layers.map((l: { name: string; op: string }) => [l.name, l.op]),
      [
        ['conv', 'Conv'],
        ['fc', 'Gemm'],
      ],
    );
    const conv = j.layers[0];
    assert.deepEqual(conv.weightShape, [4, 1, 3, 3]);
    assert.equal(conv.params, 36);
    // weights ((i % 7) - 3) / 10 are zero at i = 3, 10, 17, 24, 31
    assert.equal(conv.nonzeros, 31);
    assert.equal(conv.macs, 36 * 28 * 28);
    const fc = j.layers[1];
    assert.equal(fc.params, 50);
    assert.equal(fc.nonzeros, 40 - 8 + 10); // 8 zeros among 40 weights, bias all 0.1
    assert.equal(fc.macs, 40);
    assert.equal(j.totals.params, 86);
    assert.equal(j.totals.macs, 36 * 784 + 40);
    assert.equal(j.opset, 17);
    assert.deepEqual(j.inputs[0].shape, ['N', 1, 28, 28]);
  });

  test('text table lists every layer and a total line', async () => {
    const r = await runCli(['info', model]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^conv\s+Conv\s+\[4, 1, 3, 3\]\s+36\s+31\s/m);
    assert.match(r.stdout, /^fc\s+Gemm\s+\[10, 4\]\s+50\s+42\s/m);
    assert.match(r.stdout, /^total \(2 layers\)\s+86\s+73\s+15\.1%\s+28,264$/m);
    assert.equal(r.stderr, '');
  });

  test('missing file, directory, empty, truncated and non-ONNX files fail cleanly', async () => {
    const bytes = fs.readFileSync(model);
    const empty = path.join(dir, 'empty.onnx');
    fs.writeFileSync(empty, '');
    const trunc = path.join(dir, 'trunc.onnx');
    fs.writeFileSync(trunc, bytes.subarray(0, bytes.length - 7));
    const text = path.join(dir, 'text.onnx');
    fs.writeFileSync(text, 'this is not a model\n');
    const cases: Array<[string, RegExp]> = [
      [path.join(dir, 'missing.onnx'), /no such file/],
      [dir, /is a directory/],
      [empty, /empty/],
      [trunc, /truncated|corrupt|not a valid ONNX/],
      [text, /not a valid ONNX|malformed|no graph/],
    ];
    const results = await Promise.all(cases.map(([f]) => runCli(['info', f])));
    results.forEach((r, i) => {
      assert.ok(isCleanError(r), `case ${cases[i]![0]}: code ${r.code}, stderr ${r.stderr}`);
      assert.match(r.stderr, cases[i]![1]);
      assert.equal(r.stdout, '');
    });
  });

  test('an op neither reprune nor ONNX Runtime knows: info names it and what it blocks, eval refuses it cleanly', async () => {
    const g = tinyConvNet();
    g.nodes[1]!.opType = 'Frobnicate';
    const f = writeModel(dir, 'unsupported.onnx', g);
    const r = await runCli(['info', f, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.opaque, [{ node: 'relu', op: 'Frobnicate', shapes: 'unknown', blocked: ['conv (4 channels)'] }]);
    assert.match(j.notes.join(), /ONNX Runtime could not run the model .*Frobnicate/);
    assert.equal(j.totals.macsComplete, false);
    const ev = await runCli(['eval', f, '--data', 'mnist', '--limit', '8']);
    assert.ok(isCleanError(ev), ev.stderr);
    assert.match(ev.stderr, /No Op registered for Frobnicate/);
  });

  test('names from the file cannot forge extra output lines', async () => {
    const g = tinyConvNet();
    g.nodes[1]!.name = 'evil\nerror: forged line\u0007';
    g.nodes[1]!.opType = 'Frobnicate';
    const f = writeModel(dir, 'evil.onnx', g);
    const r = await runCli(['info', f]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!/^error: forged line/m.test(r.stdout), r.stdout);
    assert.match(r.stdout, /evil\\nerror: forged line\\x07 \(Frobnicate\)/);
  });
});

test('info notes convs whose channel counts are not multiples of 8 (stems with ≤ 4 inputs and depthwise convs aside)', async () => {
  const { channelRoundingNote } = await import('../../src/cli/commands/info.js');
  const { modelMetrics } = await import('../../src/analysis/metrics.js');
  const { buildModel } = await import('../../src/models/index.js');
  const { prune } = await import('../../src/api/prune.js');
  assert.equal(channelRoundingNote(modelMetrics(buildModel('resnet-small')).layers), undefined);
  assert.match(
    channelRoundingNote(modelMetrics(buildModel('lenet5')).layers)!,
    /^note: 2 convs have .*conv1 \[6, 1\].*--round-to 8$/,
  );
  const odd = await prune(buildModel('resnet-small'), { method: 'l1', ratio: 0.3 });
  assert.match(channelRoundingNote(modelMetrics(odd.graph).layers)!, /not multiples of 8/);
  const even = await prune(buildModel('resnet-small'), { method: 'l1', ratio: 0.3, roundTo: 8 });
  assert.equal(channelRoundingNote(modelMetrics(even.graph).layers), undefined);
});
