import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLines } from '../../src/util/progress-lines.js';

test('progressLines: silent while quick, then at most one line per interval, and the last item once it spoke', () => {
  let t = 0;
  const quiet: string[] = [];
  const quick = progressLines((l) => quiet.push(l), 'x', 3, { now: () => t });
  for (let i = 1; i <= 3; i++) {
    t += 100;
    quick.step(i, `layer${i}`);
  }
  assert.equal(quiet.length, 0, 'a 0.3 s loop prints nothing');
  const lines: string[] = [];
  t = 0;
  const slow = progressLines((l) => lines.push(l), 'lop-expand', 6, { now: () => t });
  for (let i = 1; i <= 6; i++) {
    t += 700;
    slow.step(i, `layer${i}`);
  }
  // 0.7 s: not yet; 1.4 s: first line; 2.1 s: under 1 s since; 2.8 s: second; 3.5 s: no; 4.2 s: last item.
  assert.deepEqual(lines, [
    'lop-expand: 2/6 (layer2), 1.4 s',
    'lop-expand: 4/6 (layer4), 2.8 s',
    'lop-expand: 6/6 (layer6), 4.2 s',
  ]);
  progressLines(undefined, 'y', 1, { now: () => 5000 }).step(1, 'z'); // no log: nothing to call
});
