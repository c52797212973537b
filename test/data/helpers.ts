import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import { ReproError } from '../../src/util/errors.js';

/** A fresh temp folder removed when the test file finishes. */
export function tempDir(prefix = 'reprune-data-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Assert fn throws a ReproError whose one-line message names `file` and matches `what`. */
export function throwsNaming(fn: () => unknown, file: string, what: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ReproError, `expected ReproError, got ${String(e)}`);
    assert.ok(e.message.includes(file), `message should name ${file}: ${e.message}`);
    assert.match(e.message, what);
    assert.ok(!e.message.includes('\n'), 'message must be one line');
    return true;
  });
}
