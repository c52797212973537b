import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { assembleBenchmarks, pageSections } from '../../src/bench/benchmarks-doc.js';

test("BENCHMARKS.md puts a bench's summary, then its main table, then extra runs, and names missing benches", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'reprune-bench-doc-'));
  for (const f of ['x-b.md', 'x.md', 'x-a.md', 'x-summary.md']) writeFileSync(path.join(dir, f), `# ${f}\n\nbody\n`);
  const doc = assembleBenchmarks(dir, ['x', 'y']);
  const order = ['x-summary.md', 'x.md', 'x-a.md', 'x-b.md'].map((f) => doc.indexOf(`## ${f}`));
  assert.ok(
    order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)),
    `sections out of order: ${order.join(', ')}`,
  );
  assert.match(doc, /Not run yet: `reprune bench y`/);
});

test('BENCHMARKS.md keeps intro.md as its preface, and the baselines then train come first', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'reprune-bench-doc-'));
  writeFileSync(path.join(dir, 'intro.md'), 'Measured on a quiet machine.\n');
  writeFileSync(path.join(dir, 'baselines.md'), '# baselines\n');
  const doc = assembleBenchmarks(dir, pageSections(['tiletrans', 'baselines', 'lop']));
  assert.deepEqual(pageSections(['tiletrans', 'baselines', 'lop']), ['baselines', 'train', 'tiletrans', 'lop']);
  assert.ok(doc.indexOf('Measured on a quiet machine.') < doc.indexOf('## baselines'), 'preface not before the tables');
  assert.match(doc, /Not run yet: `reprune bench train`/);
  assert.equal(doc.match(/intro/g), null, 'intro.md became a section');
});

test('BENCHMARKS.md shows <stem>.notes.md right after the table a bench regenerates, once', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'reprune-bench-doc-'));
  for (const f of ['x.md', 'x.notes.md', 'x-extra.md', 'x-extra.notes.md'])
    writeFileSync(path.join(dir, f), `# ${f}\n\nbody\n`);
  const doc = assembleBenchmarks(dir, ['x']);
  const order = ['x.md', 'x.notes.md', 'x-extra.md', 'x-extra.notes.md'].map((f) => doc.indexOf(`## ${f}\n`));
  assert.ok(
    order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)),
    `notes out of order: ${order.join(', ')}`,
  );
  for (const f of ['x.notes.md', 'x-extra.notes.md']) assert.equal(doc.split(`## ${f}\n`).length, 2, `${f} not once`);
});
