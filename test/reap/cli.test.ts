import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildModel } from '../../src/models/index.js';
import { loadOnnx, saveOnnx } from '../../src/onnx/index.js';
import { modelMetrics } from '../../src/analysis/metrics.js';

test('reprune prune --method reap --srn --json and reparam --transform srn', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'reprune-reap-'));
  try {
    const inp = path.join(dir, 'rs.onnx');
    saveOnnx(buildModel('resnet-small'), inp);
    const out = path.join(dir, 'rs-reap.onnx');
    const cli = ['--import', 'tsx', path.resolve('src/cli/run.ts')];
    const stdout = execFileSync(
      process.execPath,
      [
        ...cli,
        'prune',
        inp,
        '-o',
        out,
        '--method',
        'reap',
        '--ratio',
        '0.5',
        '--srn',
        '--data',
        'mnist',
        '--calib',
        '100',
        '--json',
      ],
      { encoding: 'utf8' },
    );
    const s = JSON.parse(stdout);
    for (const k of ['macsBefore', 'macsAfter', 'paramsBefore', 'paramsAfter', 'ratios']) assert.ok(k in s, k);
    assert.equal(s.macsAfter, modelMetrics(loadOnnx(out)).totals.macs);
    assert.ok(s.macsAfter < s.macsBefore);
    const srnOut = path.join(dir, 'rs-srn.onnx');
    execFileSync(process.execPath, [...cli, 'reparam', inp, '-o', srnOut, '--transform', 'srn'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.ok(!loadOnnx(srnOut).nodes.some((n) => n.opType === 'Add'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
