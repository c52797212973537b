import { gunzipSync, gzipSync } from 'node:zlib';
import { ReproError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { formatBytes, memoryLimitBytes, memoryLimitMB } from '../util/limits.js';
import { readRegularFile } from '../util/read-file.js';

/**
 * Deflate cannot expand data by more than about 1032:1, so a gzip file of n bytes never
 * legitimately decompresses to more than this. Capping gunzip here means a hostile .gz
 * ("zip bomb") fails instead of allocating gigabytes.
 */
const MAX_DEFLATE_RATIO = 1100;

/** Read a whole file; transparently gunzip it when the name ends in `.gz`. */
export function readMaybeGzip(path: string): Uint8Array {
  // A regular file only (never a pipe or /dev/zero), read for its size and only if it fits --max-memory.
  const raw = readRegularFile(path, { expected: 'a dataset file' });
  if (!path.endsWith('.gz')) return raw;
  const deflateCap = Math.min(raw.length * MAX_DEFLATE_RATIO + 1024, 0x7fffffff);
  const cap = Math.min(deflateCap, memoryLimitBytes());
  try {
    return gunzipSync(raw, { maxOutputLength: cap });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' && cap < deflateCap) {
      throw new ReproError(
        `${path}: decompresses to more than ${formatBytes(cap)}: too large for --max-memory ${memoryLimitMB()} MB; raise --max-memory if the machine has the RAM`,
      );
    }
    throw new ReproError(`${path}: corrupt or truncated gzip data (${(e as Error).message}); re-download the file`);
  }
}

/** Write bytes atomically (temp file + rename), gzip-compressed when the name ends in `.gz`. */
export function writeMaybeGzip(path: string, bytes: Uint8Array): void {
  const payload = path.endsWith('.gz') ? gzipSync(bytes) : bytes;
  writeFileAtomic(path, payload);
}

/** Product of dims, or -1 as soon as it exceeds `limit` (so absurd dims never overflow or allocate). */
export function boundedProduct(dims: readonly number[], limit: number): number {
  if (dims.some((d) => d === 0)) return 0;
  let n = 1;
  for (const d of dims) {
    n *= d;
    if (n > limit) return -1;
  }
  return n;
}
