/** Every script under examples/ runs (`node --import tsx examples/x.ts`), exits 0 and prints its result line. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const examples = readdirSync(path.join(root, 'examples'))
  .filter((f) => f.endsWith('.ts'))
  .sort();

/** What each example's last line must say. */
const EXPECT: Record<string, RegExp> = {
  'tiletrans.ts': /^TileTrans: accuracy \d+\.\d+ %/m,
  'reap.ts': /^reap \+ PRO: accuracy \d+\.\d+ %/m,
  'lop.ts': /^LOP \+ SP-KD fine-tuned .*accuracy \d+\.\d+ %/m,
  'unify.ts': /^unified \d+ \+ pruned \d+ of \d+ blocks: accuracy \d+\.\d+ %/m,
  'tedepr.ts': /^TEDEPR mlp: accuracy \d+\.\d+ %/m,
};

describe('examples', () => {
  test('one example per method', () => assert.deepEqual(examples, Object.keys(EXPECT).sort()));
  for (const file of examples) {
    test(file, async () => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join('examples', file)], {
        cwd: root,
        timeout: 180_000,
      });
      assert.match(stdout, EXPECT[file] ?? /accuracy/);
    });
  }
});
