import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildReportHtml, summaryText } from '../../src/report/html.js';
import type { RunResults } from '../../src/report/schema.js';
import { main } from '../../src/cli/main.js';

export function sampleResults(): RunResults {
  const layer = (name: string, params: number, nonzeros: number) => ({ name, params, nonzeros });
  return {
    version: 1,
    createdAt: '2026-01-01T00:00:00Z',
    command: 'reprune demo',
    machine: 'test',
    dataset: 'mnist',
    latencyBatch: 64,
    baseline: {
      method: 'dense',
      label: 'dense',
      accuracy: 0.99,
      params: 1000,
      nonzeros: 1000,
      macs: 5000,
      bytes: 4096,
      latencyMs: 2,
      layers: [layer('fc1', 800, 800), layer('fc2', 200, 200)],
    },
    methods: [
      {
        method: 'tiletrans',
        label: 'tile + TileTrans',
        accuracy: 0.97,
        params: 1000,
        nonzeros: 300,
        macs: 5000,
        bytes: 4096,
        latencyMs: 1,
        layers: [layer('fc1', 800, 200), layer('fc2', 200, 100)],
        extra: { importanceKept: 0.8 },
      },
    ],
    curves: [
      { series: 'tile', sparsity: 0.5, accuracy: 0.98 },
      { series: 'tile', sparsity: 0.7, accuracy: 0.95 },
    ],
    heatmaps: [
      {
        title: 'after',
        layer: 'fc1',
        values: [
          [1, 2],
          [3, 4],
        ],
        pruned: [
          [true, false],
          [false, false],
        ],
      },
    ],
    scaling: [
      { n: 256, variant: 'fast', seconds: 0.1 },
      { n: 512, variant: 'fast', seconds: 0.8 },
    ],
  };
}

test('report HTML is self-contained with a summary row per method and inline SVG charts', async () => {
  const html = await buildReportHtml(sampleResults());
  assert.match(html, /<td>dense<\/td>/);
  assert.match(html, /<td>tile \+ TileTrans<\/td><td>97\.00 %<\/td><td>-2\.00<\/td>/);
  assert.equal((html.match(/<svg/g) ?? []).length, 5, 'accuracy vs cost, curve, layer bars, one heat map, scaling');
  assert.doesNotMatch(html, /<script|<link|src="http|url\(http/);
  assert.match(summaryText(sampleResults()), /tile \+ TileTrans\s+97\.00 %\s+-2\.00/);
});

test('the speedup column prefers the paired speedup a run measured, beside the MAC reduction', async () => {
  const r = sampleResults();
  // Unpaired: dense 2 ms over 1 ms; MACs equal (a masked model).
  assert.match(await buildReportHtml(r), /<td>1\.00<\/td><td>2\.00×<\/td><td>1\.00×<\/td>/);
  r.methods[0]!.speedup = 1.25;
  r.methods[0]!.macs = 2500;
  assert.match(await buildReportHtml(r), /<td>1\.00<\/td><td>1\.25×<\/td><td>2\.00×<\/td>/);
  assert.match(summaryText(r), /tile \+ TileTrans .* 1\.00\s+1\.25×$/m);
  assert.match(await buildReportHtml(r), /<td>2\.00<\/td><td>—<\/td><td>—<\/td>/, 'the dense row has neither');
});

test('reprune report rebuilds the HTML from JSON and refuses bad input', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-report-'));
  const json = path.join(dir, 'r.json');
  fs.writeFileSync(json, JSON.stringify(sampleResults()));
  assert.equal(await main(['report', json, '-o', path.join(dir, 'r.html')]), 0);
  assert.match(fs.readFileSync(path.join(dir, 'r.html'), 'utf8'), /reprune report/);
  fs.writeFileSync(path.join(dir, 'bad.json'), '{"version":1}');
  assert.equal(await main(['report', path.join(dir, 'bad.json'), '-o', path.join(dir, 'bad.html')]), 2);
  assert.ok(!fs.existsSync(path.join(dir, 'bad.html')));
});

test('a paired latency refuses a batch or run count that is not a positive integer, as the unpaired one does', async () => {
  const { rowLatency } = await import('../../src/report/latency.js');
  const { buildModel } = await import('../../src/models/index.js');
  const g = buildModel('mlp', { seed: 0 });
  await assert.rejects(rowLatency(g, { batch: 0, iters: 5, dense: g }), /latency batch 0: must be a positive integer/);
  await assert.rejects(rowLatency(g, { batch: 2, iters: 0, dense: g }), /latency iterations 0/);
  await assert.rejects(rowLatency(g, { batch: 2, iters: 0 }), /latency iterations 0/);
  const r = await rowLatency(g, { batch: 2, iters: 3, dense: g });
  assert.ok(r.latencyMs > 0 && r.speedup! > 0);
});
