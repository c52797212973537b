/** Bench smoke test: PRO vs uniform ratios for a non-REAP criterion, on a tiny trained mlp, with its table. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { runAccuracy } from '../../src/bench/reap-accuracy.js';
import { proVsUniform } from '../../src/bench/reap.js';

test('bench reap: L1 and L1+PRO meet one MAC budget; the PRO-vs-uniform table has one row per pair', async () => {
  const { rows } = await runAccuracy({
    archs: ['mlp'],
    reductions: [0.5],
    calib: 256,
    evalLimit: 200,
    trainEpochs: 1,
    trainLimit: 512,
    proStep: 0.1,
    finetuneEpochs: 0,
    latency: false,
    variants: ['L1', 'L1+PRO'],
    cacheDir: mkdtempSync(path.join(tmpdir(), 'reprune-bench-reap-')),
    log: () => {},
  });
  assert.deepEqual(
    rows.map((r) => r.method),
    ['L1', 'L1+PRO'],
  );
  for (const r of rows) {
    assert.ok(r.macReduction >= 0.5 - 1e-9, `${r.method}: MACs −${r.macReduction}`);
    assert.ok(r.accuracy >= 0 && r.accuracy <= 1);
  }
  const table = proVsUniform(rows);
  const body = table.filter((l) => l.startsWith('| mlp |'));
  assert.equal(body.length, 1);
  assert.match(body[0]!, /^\| mlp \| L1 \| −50 % \| \d+\.\d\d \(−\d+ %\) \| \d+\.\d\d \(−\d+ %\) \| -?\d+\.\d\d \|$/);
});
