/**
 * The HTML report renders in headless Chromium without console errors or network requests, and every chart
 * is an inline SVG. Saves a PNG screenshot: docs/report.png with UPDATE_SCREENSHOT=1, else a temp file.
 * REPORT_HTML=<file> renders that report (e.g. a full `reprune demo` run) instead of the built-in fixture.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { buildReportHtml } from '../../src/report/html.js';
import type { MethodResult, RunResults } from '../../src/report/schema.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function row(method: string, label: string, accuracy: number, nonzeros: number, macs: number): MethodResult {
  return {
    method,
    label,
    model: `${method}.onnx`,
    accuracy,
    params: 61706,
    nonzeros,
    macs,
    bytes: 4 * nonzeros + 2000,
    latencyMs: 1 + macs / 1e6,
    layers: ['conv1', 'conv2', 'fc1', 'fc2', 'fc3'].map((name, i) => ({
      name,
      params: 1000 * (i + 1),
      nonzeros: Math.round((1000 * (i + 1) * nonzeros) / 61706),
    })),
    notes: `${label} <fixture>`,
    extra: { importanceKept: 0.5 },
    fileBytes: 4 * nonzeros + 3000,
    ...(method === 'dense'
      ? {}
      : {
          outputCheck: { samples: 1000, maxAbs: 2.5, meanAbs: 0.25, top1Agreement: accuracy },
          changes: {
            layers: [
              { name: 'conv1', before: side(6), after: side(3) },
              { name: 'fc3', before: side(10) },
            ],
            ops: [{ op: 'Conv', before: 2, after: 2 }],
          },
        }),
  };
}

function side(out: number) {
  return { op: 'Conv', weightShape: [out, 1, 5, 5], params: out * 25, nonzeros: out * 25, macs: out * 25 * 576 };
}

function fixture(): RunResults {
  const grid = <T>(f: (r: number, c: number) => T): T[][] =>
    Array.from({ length: 8 }, (_, r) => Array.from({ length: 12 }, (_, c) => f(r, c)));
  return {
    version: 1,
    createdAt: '2024-01-01T00:00:00Z',
    command: 'reprune demo --quick',
    machine: 'test machine',
    dataset: 'MNIST (fixture)',
    latencyBatch: 64,
    baseline: row('dense', 'dense lenet5', 0.9917, 61706, 416520),
    methods: [
      row('tile', 'tile pruning', 0.58, 18826, 416520),
      row('tiletrans', 'TileTrans + tile pruning', 0.967, 18786, 416520),
      row('reap-pro', 'REAP + PRO', 0.9875, 22184, 169880),
      row('lop', 'L1 + PRO at 50 % MACs, then LOP + SP-KD fine-tuning from the dense teacher', 0.991, 33900, 203900),
    ],
    curves: [0.3, 0.5, 0.7, 0.9].flatMap((s) => [
      { series: 'tile pruning', sparsity: s, accuracy: 0.99 - s * s },
      { series: 'TileTrans + tile pruning', sparsity: s, accuracy: 0.99 - 0.5 * s * s },
    ]),
    heatmaps: [
      {
        title: 'before',
        layer: 'fc1',
        values: grid((r, c) => (r * 7 + c * 3) % 11),
        pruned: grid((r, c) => (r + c) % 3 === 0),
      },
      { title: 'after', layer: 'fc1', values: grid((r) => 10 - r), pruned: grid((r) => r >= 5) },
    ],
    scaling: [16, 32, 64].flatMap((n) => [
      { n, variant: 'fast', seconds: n ** 3 * 1e-8 },
      { n, variant: 'naive', seconds: n ** 4 * 1e-8 },
    ]),
  };
}

test('report.html renders in headless Chromium without console errors', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`no Chromium at ${CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)`);
    return;
  }
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    t.skip('playwright-core is not installed (npm install -D playwright-core)');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'reprune-report-'));
  const htmlFile = process.env.REPORT_HTML ?? path.join(dir, 'report.html');
  if (!process.env.REPORT_HTML) writeFileSync(htmlFile, await buildReportHtml(fixture()));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load' });
    assert.deepEqual(problems, [], 'console errors');
    assert.deepEqual(requests, [], 'the report must be self-contained (no network)');
    assert.equal(await page.title(), 'reprune report');
    const rows = await page.locator('table tbody tr').count();
    const expected = process.env.REPORT_HTML ? 2 : fixture().methods.length + 1;
    assert.ok(rows >= expected, `summary rows: ${rows}`);
    if (!process.env.REPORT_HTML) {
      assert.equal(await page.locator('svg', { hasText: 'Accuracy vs cost' }).count(), 1, 'the accuracy-vs-cost chart');
      assert.ok((await page.locator('table.check tbody tr').count()) >= 1, 'output check table');
    }
    // Legends and labels are whole: nothing truncated with an ellipsis, no text outside its chart.
    const clipped = await page.locator('figure svg').evaluateAll((svgs) =>
      svgs.flatMap((svg) => {
        const box = svg.getBoundingClientRect();
        return Array.from(svg.querySelectorAll('text'))
          .filter((t) => {
            const r = t.getBoundingClientRect();
            const outside = r.right > box.right + 1 || r.left < box.left - 1 || r.bottom > box.bottom + 1;
            return (t.textContent ?? '').endsWith('…') || outside;
          })
          .map((t) => t.textContent);
      }),
    );
    assert.deepEqual(clipped, [], 'legend or axis text cut off');
    const svgs = await page.locator('figure svg').count();
    assert.ok(svgs >= (process.env.REPORT_HTML ? 1 : 5), `inline SVG charts: ${svgs}`);
    // Every chart has a drawn size (a broken spec renders an empty 0×0 svg).
    for (const box of await page
      .locator('figure svg')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width * e.getBoundingClientRect().height))) {
      assert.ok(box > 1000, `chart area ${box}`);
    }
    const png = process.env.UPDATE_SCREENSHOT === '1' ? path.resolve('docs/report.png') : path.join(dir, 'report.png');
    await page.screenshot({ path: png, fullPage: true });
    const bytes = readFileSync(png);
    assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(statSync(png).size > 10_000, 'screenshot has content');
    t.diagnostic(`screenshot: ${png}`);
  } finally {
    await browser.close();
  }
});
