/** `reprune bench data --quick` runs end to end: a row per case with positive rates, and the epoch's compute rate. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCli, tmpDir } from '../cli/helpers.js';

test('bench data --quick writes data.md/json with every case', async () => {
  const out = tmpDir('reprune-bench-data-');
  const r = await runCli(['bench', 'data', '--quick', '--out', out, '--json'], { timeoutMs: 180_000 });
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(readFileSync(path.join(out, 'data.json'), 'utf8')) as {
    rows: Array<Record<string, string | number>>;
    trainImagesPerSec: number;
    bound: string;
  };
  assert.deepEqual(
    json.rows.map((x) => x.case),
    [
      'PNG 28×28 gray',
      'JPEG 28×28 gray',
      'PNG 224×224 RGB',
      'JPEG 224×224 RGB',
      'JPEG 256×256 RGB → 224 (resize + centre crop)',
    ],
  );
  for (const row of json.rows) {
    assert.ok((row['images/s (folder)'] as number) > 0 && (row['images/s (.npy)'] as number) > 0, String(row.case));
  }
  assert.ok(json.trainImagesPerSec > 0);
  assert.ok(['compute', 'decoding'].includes(json.bound));
  assert.match(readFileSync(path.join(out, 'data.md'), 'utf8'), /^## data\n\nCommand: `reprune bench data --quick/);
});
