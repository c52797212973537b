/** `reprune bench baselines`: trains a model into the cache once, then reuses it; the table names both. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, tmpDir } from '../cli/helpers.js';

test('--quick trains mlp into the cache, a second run reuses it, and the table has one row per arch', {
  timeout: 300_000,
}, async () => {
  const out = tmpDir('reprune-baselines-');
  const cache = path.join(out, 'cache');
  const run = () =>
    runCli(['bench', 'baselines', '--quick', '--cache-dir', cache, '--out', out], { timeoutMs: 300_000 });
  const first = await run();
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(fs.readdirSync(cache), ['mlp-mnist-e1-s0-n8192.onnx']);
  const rows = () =>
    (JSON.parse(fs.readFileSync(path.join(out, 'baselines.json'), 'utf8')) as { rows: Array<Record<string, unknown>> })
      .rows;
  const [trained] = rows();
  assert.equal(trained!.arch, 'mlp');
  assert.equal(trained!.testImages, 500);
  assert.ok((trained!.accuracy as number) > 0.5, `1 epoch on 8,192 images: ${trained!.accuracy}`);
  assert.equal(typeof trained!.trainSeconds, 'number');
  const second = await run();
  assert.equal(second.code, 0, second.stderr);
  const [reused] = rows();
  assert.equal(reused!.trainSeconds, null, 'the cached model was trained again');
  assert.equal(reused!.accuracy, trained!.accuracy, 'the cached model is not the trained one');
  const md = fs.readFileSync(path.join(out, 'baselines.md'), 'utf8');
  assert.equal(md.split('\n').filter((l) => l.startsWith('| mlp | mnist | 1 (8192 samples) |')).length, 1);
  assert.match(md, /\| cached \|/);
});
