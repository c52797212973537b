/**
 * The probe suite's judge must itself be right: a snapshot diff sees added hidden files, changed bytes and modes,
 * replaced links; the output check sees raw C1/bidi characters and stack traces; a refusal must be exactly one
 * `error:` line with exit 2.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { diffSnapshots, outputProblems, refusalProblems, type RunResult, snapshot, unsafeChars } from './harness.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-probe-harness-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = (o: Partial<RunResult>): RunResult => ({
  code: 2,
  signal: null,
  stdout: '',
  stderr: '',
  hung: false,
  ms: 1,
  ...o,
});

test('snapshots see every kind of change, hidden files and links included', () => {
  fs.writeFileSync(path.join(dir, 'a'), 'one');
  fs.symlinkSync('a', path.join(dir, 'l'));
  fs.mkdirSync(path.join(dir, 'sub'));
  const before = snapshot(dir);
  assert.deepEqual(diffSnapshots(before, snapshot(dir)), []);
  fs.writeFileSync(path.join(dir, 'a'), 'two');
  fs.writeFileSync(path.join(dir, 'sub', '.x.tmp'), '');
  fs.rmSync(path.join(dir, 'l'));
  fs.writeFileSync(path.join(dir, 'l'), 'now a file');
  const diff = diffSnapshots(before, snapshot(dir));
  assert.equal(diff.length, 3, diff.join('; '));
  assert.ok(diff.some((d) => d.startsWith('changed a')));
  assert.ok(diff.some((d) => d.startsWith('changed l (link -> a')));
  assert.ok(diff.includes(`left behind ${path.join('sub', '.x.tmp')}`));
  assert.deepEqual(diffSnapshots(before, snapshot(dir), ['a', 'l', path.join('sub', '.x.tmp')]), []);
});

test('raw terminal controls are found; escapes of them are not', () => {
  assert.deepEqual(unsafeChars('a\u009bb\u202ec\x1b\n'), ['U+009b', 'U+202e', 'U+001b']);
  assert.deepEqual(unsafeChars('a\\x9b \\u{202e}\n'), []);
  assert.deepEqual(outputProblems(run({ stderr: 'error: x\n    at f (file.ts:1:2)\n' })), [
    'stack trace or internal error on stderr',
  ]);
});

test('a refusal is exactly one error line with exit 2, naming what it must', () => {
  assert.deepEqual(refusalProblems(run({ stderr: 'error: -o x: file exists\n' }), ['-o']), []);
  assert.equal(refusalProblems(run({ code: 0, stderr: 'error: a\n' })).length, 1);
  assert.equal(refusalProblems(run({ stderr: 'notice: y\nerror: a\n' })).length, 1);
  assert.equal(refusalProblems(run({ stderr: 'error: a\n' }), ['--plot']).length, 1);
  assert.ok(
    refusalProblems(run({ code: null, signal: 'SIGKILL', hung: true })).includes('hung: killed by the watchdog'),
  );
});
