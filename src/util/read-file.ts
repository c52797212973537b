/**
 * Bounded reading of input files. A path is opened without blocking (a named pipe with no writer would otherwise
 * hang the open), checked through the open descriptor to be a regular file (so a link swapped for /dev/zero after
 * a check cannot slip through), compared with --max-memory, and read for exactly the size it had when opened:
 * an endless or growing file can never be read forever.
 */
import * as fs from 'node:fs';
import { ReproError } from './errors.js';
import { checkMemory } from './limits.js';

export interface ReadOptions {
  /** How messages name the file, e.g. `--plan plan.json` (default: the path). */
  what?: string;
  /** What a regular file here should be, for messages: "an .onnx file", "a JSON plan". */
  expected?: string;
  /** A bound of its own, below --max-memory (e.g. a JSON side file never needs 1 GB). */
  maxBytes?: number;
}

/** "a named pipe", "a character device", ... for a non-regular file. */
export function fileKind(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function openError(e: unknown, what: string, expected: string): ReproError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ReproError(`${what}: no such file`);
  if (code === 'EACCES' || code === 'EPERM') return new ReproError(`${what}: permission denied`);
  // Opening a socket (or a device without a driver) fails this way.
  if (code === 'ENXIO' || code === 'EOPNOTSUPP')
    return new ReproError(`${what}: is a socket or device, not a regular file; expected ${expected}`);
  return new ReproError(`${what}: cannot read (${code ?? (e as Error).message})`);
}

/**
 * Open `file` for reading if it is a regular file (never blocking on a pipe); returns the descriptor and its size.
 * The caller closes the descriptor.
 */
export function openRegularFile(file: string, o: ReadOptions = {}): { fd: number; size: number } {
  const what = o.what ?? file;
  const expected = o.expected ?? 'a regular file';
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (e) {
    throw openError(e, what, expected);
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw new ReproError(`${what}: is ${fileKind(st)}, not a regular file; expected ${expected}`);
  }
  return { fd, size: st.size };
}

/** Fill `dest` from `offset` of an open descriptor, in pieces of at most 1 GB; returns the bytes read (fewer at EOF). */
export function readInto(fd: number, offset: number, dest: Uint8Array): number {
  let got = 0;
  while (got < dest.length) {
    const n = fs.readSync(fd, dest, got, Math.min(2 ** 30, dest.length - got), offset + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** Read exactly `length` bytes at `offset` of an open descriptor (fewer only if the file shrank meanwhile). */
export function readAt(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/** The whole of a regular file, bounded by its size when opened, --max-memory and `maxBytes`. */
export function readRegularFile(file: string, o: ReadOptions = {}): Buffer {
  const what = o.what ?? file;
  const { fd, size } = openRegularFile(file, o);
  try {
    checkMemory(size, `${what}: file size`);
    if (o.maxBytes !== undefined && size > o.maxBytes)
      throw new ReproError(
        `${what}: ${size} bytes, more than the ${o.maxBytes} such a file can hold; is it the right file?`,
      );
    return readAt(fd, 0, size);
  } catch (e) {
    if (e instanceof ReproError) throw e;
    throw new ReproError(`${what}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    fs.closeSync(fd);
  }
}

/** A regular text file as UTF-8, bounded like `readRegularFile`. */
export function readTextFile(file: string, o: ReadOptions = {}): string {
  return readRegularFile(file, o).toString('utf8');
}
