/**
 * Bounded reading: a regular file is read for exactly its size; pipes, devices, sockets and folders are refused at
 * once (a pipe without a writer must not block the open), also through a symlink; --max-memory and a per-file
 * bound are checked before reading.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { ReproError } from '../../src/util/errors.js';
import { setMemoryLimitMB } from '../../src/util/limits.js';
import { readRegularFile, readTextFile } from '../../src/util/read-file.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-read-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const p = (n: string) => path.join(dir, n);

/** Runs `f` and requires a ReproError matching `re`, within `ms` (a blocked open would never return). */
function refusedQuickly(f: () => unknown, re: RegExp, ms = 2000): void {
  const t0 = performance.now();
  assert.throws(f, (e) => e instanceof ReproError && re.test(e.message));
  assert.ok(performance.now() - t0 < ms, 'took too long: did it block on the open?');
}

describe('readRegularFile', () => {
  test('reads a regular file, also through a symlink', () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    fs.writeFileSync(p('a.bin'), bytes);
    fs.symlinkSync(p('a.bin'), p('a.link'));
    assert.ok(readRegularFile(p('a.bin')).equals(bytes));
    assert.ok(readRegularFile(p('a.link')).equals(bytes));
    fs.writeFileSync(p('t.json'), '{"a":1}');
    assert.equal(readTextFile(p('t.json')), '{"a":1}');
  });

  test('refuses /dev/zero and a symlink to it without reading', () => {
    fs.symlinkSync('/dev/zero', p('zero.npy'));
    refusedQuickly(() => readRegularFile('/dev/zero'), /\/dev\/zero: is a character device, not a regular file/);
    refusedQuickly(
      () => readRegularFile(p('zero.npy'), { expected: 'a dataset file' }),
      /zero\.npy: is a character device.*a dataset file/,
    );
  });

  test('refuses a named pipe without blocking, with or without a writer', () => {
    execFileSync('mkfifo', [p('pipe')]);
    refusedQuickly(() => readRegularFile(p('pipe')), /pipe: is a named pipe/);
  });

  test('refuses a folder, a socket and a missing file, each in one line', async () => {
    fs.mkdirSync(p('folder'));
    refusedQuickly(() => readRegularFile(p('folder')), /folder: is a directory/);
    refusedQuickly(() => readRegularFile(p('missing')), /missing: no such file/);
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(p('sock'), r));
    try {
      refusedQuickly(() => readRegularFile(p('sock')), /sock: is a socket/);
    } finally {
      server.close();
    }
  });

  test('--max-memory and maxBytes are checked before reading', () => {
    fs.writeFileSync(p('big.bin'), Buffer.alloc(2 * 2 ** 20));
    setMemoryLimitMB(1);
    try {
      assert.throws(() => readRegularFile(p('big.bin')), /file size 2\.0 MB: too large for --max-memory 1 MB/);
    } finally {
      setMemoryLimitMB(undefined);
    }
    assert.throws(
      () => readRegularFile(p('big.bin'), { what: '--plan big.bin', maxBytes: 1000 }),
      /--plan big\.bin: 2097152 bytes/,
    );
  });
});
