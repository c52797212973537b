/**
 * `reprune demo --quick` end to end: one report row per method, every row measured (no failed step), sane
 * numbers, every saved model loads and runs in ONNX Runtime, the HTML report is written, and a second run
 * into the same folder is refused without --force.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { main } from '../../src/cli/main.js';
import { loadOnnx } from '../../src/onnx/index.js';
import { loadResults } from '../../src/report/load.js';

const METHODS = ['tile', 'tiletrans', 'l1-pro', 'reap-pro', 'lop', 'unify-admm', 'tedepr'];

async function runsInOrt(file: string): Promise<void> {
  const session = await ort.InferenceSession.create(file);
  const dims = loadOnnx(file).inputs[0]!.shape!.map((d) => (typeof d === 'number' ? d : 2)); // batch of 2
  const x = new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.5), dims);
  const out = await session.run({ [session.inputNames[0]!]: x });
  const logits = out[session.outputNames[0]!]!;
  assert.deepEqual(logits.dims, [2, 10], file);
  assert.ok([...(logits.data as Float32Array)].every(Number.isFinite), `${file}: finite logits`);
}

test('reprune demo --quick writes a complete report', async () => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'reprune-demo-')), 'out');
  assert.equal(await main(['demo', '--quick', '-o', dir]), 0);
  const r = loadResults(path.join(dir, 'report.json'));
  assert.deepEqual(
    r.methods.map((m) => m.method),
    METHODS,
  );
  for (const m of [r.baseline, ...r.methods]) {
    assert.ok(!m.extra?.failed, `${m.method} failed: ${m.notes}`);
    assert.ok(m.accuracy > 0.1 && m.accuracy <= 1, `${m.method} accuracy ${m.accuracy}`);
    assert.ok(m.params >= m.nonzeros && m.nonzeros > 0, `${m.method} params ${m.params} nonzeros ${m.nonzeros}`);
    assert.ok(m.macs > 0 && m.bytes > 0, `${m.method} macs ${m.macs} bytes ${m.bytes}`);
    assert.ok(m.latencyMs! > 0, `${m.method} latency`);
    assert.ok(m.model && existsSync(path.join(dir, m.model)), `${m.method} model file`);
    await runsInOrt(path.join(dir, m.model));
  }
  const byKey = Object.fromEntries(r.methods.map((m) => [m.method, m]));
  // Methods that zero weights keep the shape; methods that remove channels shrink it.
  assert.ok(byKey.tile!.nonzeros < 0.4 * r.baseline.params, 'tile pruning at 70 % sparsity');
  assert.ok(
    byKey['reap-pro']!.macs <= 0.55 * r.baseline.macs && byKey['l1-pro']!.macs <= 0.55 * r.baseline.macs,
    'PRO reached its MAC budget',
  );
  assert.equal(byKey.lop!.params, byKey['l1-pro']!.params, 'LOP merges back to the pruned architecture');
  assert.ok(r.curves.length >= 4 && r.heatmaps.length === 2 && r.scaling.length >= 2, 'plots');
  const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
  for (const m of r.methods)
    assert.ok(
      html.includes(m.label.replace(/&/g, '&#38;').replace(/</g, '&#60;')) || html.includes(m.label),
      `report shows ${m.label}`,
    );
  assert.ok(html.includes('<svg'), 'charts are inline SVG');
  // Same folder again: refused (exit 2) before any work, unless --force.
  assert.equal(await main(['demo', '--quick', '-o', dir]), 2);
});
