/**
 * `reprune bench coverage`: the one-line reasons and totals of its matrix (always), and a `--quick` smoke run on
 * real PyTorch exports (skipped where no python3 imports torch and torchvision).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { failureReason } from '../../src/bench/coverage-cells.js';
import { COLUMNS } from '../../src/bench/coverage-columns.js';
import { coverageMarkdown } from '../../src/bench/coverage-report.js';
import type { CoverageRow } from '../../src/bench/coverage-cells.js';
import { QUICK_MODELS } from '../../src/bench/coverage-models.js';

const SMOKE_MODEL = QUICK_MODELS[0]!; // squeezenet1_1: the smallest
import { torchSkipReason } from '../../src/bench/torch.js';
import { runCli, tmpDir } from './helpers.js';

describe('coverage cells', () => {
  const run = (code: number | null, stderr: string, timedOut = false) => ({ code, stdout: '', stderr, timedOut });

  test('a clean CLI failure is its error line; a stack trace is named as a crash; a hang as a timeout', () => {
    assert.equal(failureReason(run(0, ''), 60), undefined);
    assert.equal(failureReason(run(2, "warning: x\nerror: node 'a' has no rule\n"), 60), "node 'a' has no rule");
    const crash = "TypeError: cannot read 'dims'\n    at f (src/x.ts:1:1)\n    at g (src/y.ts:2:2)\n";
    assert.equal(
      failureReason(run(1, crash), 60),
      "crashed with a stack trace (exit 1): TypeError: cannot read 'dims'",
    );
    assert.equal(failureReason(run(null, '', true), 60), 'timed out after 60 s');
  });

  test('the matrix has a row per model, ✔ or ✘ with the reason, and totals per column', () => {
    const cols = COLUMNS.slice(0, 2);
    const rows: CoverageRow[] = [
      { model: 'a', bn: 'kept', cells: { info: { ok: true }, tiletrans: { ok: false, reason: 'x | y' } } },
      { model: 'b', bn: 'folded', cells: { info: { ok: true }, tiletrans: { ok: true } } },
    ];
    const { markdown, totals } = coverageMarkdown('reprune bench coverage', cols, rows);
    assert.deepEqual(totals.info, { passed: 2, of: 2, percent: 100 });
    assert.deepEqual(totals.tiletrans, { passed: 1, of: 2, percent: 50 });
    assert.match(markdown, /\| a \| kept \| ✔ \| ✘ x \\\| y \|/);
    assert.match(markdown, /\| \*\*passed\*\* \| {2}\| 2\/2 \(100 %\) \| 1\/2 \(50 %\) \|/);
  });
});

describe('bench coverage --quick', { skip: torchSkipReason() ?? false }, () => {
  // One small model through every column keeps this minutes long (the three --quick models took ~20 min on a
  // loaded machine); `reprune bench coverage --quick` is the longer smoke run.
  test('exports a model and fills every cell with ✔ or a one-line reason', { timeout: 900_000 }, async () => {
    const out = tmpDir('reprune-bench-coverage-');
    const args = ['bench', 'coverage', '--models', SMOKE_MODEL, '--variants', 'kept', '--out', out, '--json'];
    const r = await runCli(args, { timeoutMs: 850_000 });
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(readFileSync(path.join(out, 'coverage.json'), 'utf8')) as {
      rows: CoverageRow[];
      totals: Record<string, { of: number }>;
    };
    assert.deepEqual(
      json.rows.map((x) => `${x.model}/${x.bn}`),
      [`${SMOKE_MODEL}/kept`],
    );
    for (const row of json.rows) {
      assert.deepEqual(
        Object.keys(row.cells),
        COLUMNS.map((c) => c.key),
        row.model,
      );
      assert.ok(row.cells.info!.ok, `${row.model}: info: ${row.cells.info!.reason}`);
      for (const [col, cell] of Object.entries(row.cells))
        assert.ok(cell.ok || (cell.reason && !cell.reason.includes('\n')), `${row.model} ${col}`);
    }
    for (const c of COLUMNS) assert.equal(json.totals[c.key]!.of, 1);
    assert.match(
      readFileSync(path.join(out, 'coverage.md'), 'utf8'),
      /^## coverage\n\nCommand: `reprune bench coverage --models/,
    );
    // --merge re-runs one column and keeps every other cell of the earlier run.
    const again = await runCli([...args.slice(0, 6), '--columns', 'info', '--out', out, '--merge'], {
      timeoutMs: 300_000,
    });
    assert.equal(again.code, 0, again.stderr);
    const merged = JSON.parse(readFileSync(path.join(out, 'coverage.json'), 'utf8')) as {
      commands: string[];
      rows: CoverageRow[];
    };
    assert.equal(merged.commands.length, 2);
    assert.match(merged.commands[1]!, /--columns info .*--merge/);
    assert.deepEqual(Object.keys(merged.rows[0]!.cells), Object.keys(json.rows[0]!.cells));
    assert.deepEqual(merged.rows[0]!.cells.tedepr, json.rows[0]!.cells.tedepr);
  });
});
