/** A failing method step leaves a row with its error in the notes; the other steps and the report still happen. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { DemoStep } from '../../src/demo/context.js';
import { runDemo } from '../../src/demo/run.js';
import { tileStep } from '../../src/demo/tile.js';
import { ReproError } from '../../src/util/errors.js';

const broken: DemoStep = {
  name: 'broken method',
  rows: [{ method: 'broken', label: 'broken method' }],
  run: () => Promise.reject(new ReproError('broken.onnx: this step always fails')),
};

test('a failing step does not stop the demo', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'reprune-demo-fail-'));
  const lines: string[] = [];
  const r = await runDemo({ dir, quick: true, steps: [broken, tileStep], log: (l) => lines.push(l), progress: false });
  assert.deepEqual(
    r.methods.map((m) => m.method),
    ['broken', 'tile', 'tiletrans'],
  );
  const b = r.methods[0]!;
  assert.equal(b.extra?.failed, true);
  assert.match(b.notes ?? '', /^failed: broken\.onnx: this step always fails/);
  assert.ok(r.methods[1]!.accuracy > 0 && !r.methods[1]!.extra?.failed);
  assert.ok(existsSync(path.join(dir, 'report.html')) && existsSync(path.join(dir, 'tiletrans.onnx')));
  assert.ok(
    lines.some((l) => l.includes('broken method FAILED')),
    'the failure is logged',
  );
  // --force replaces the earlier report.
  const again = await runDemo({ dir, quick: true, force: true, steps: [broken], log: () => {}, progress: false });
  assert.equal(again.methods.length, 1);
});
