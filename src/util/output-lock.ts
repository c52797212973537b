/**
 * The file-system side of claiming an output (see output-guard.ts): the per-output lock file, which also proves the
 * folder accepts new files, the free-space check, moving a finished temp file into place, and removal of temp files
 * that dead processes left behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReproError } from './errors.js';
import { formatBytes } from './limits.js';

/** Whether a process with this pid still runs (EPERM: it runs under another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Plain words for the errno codes a write into a folder can fail with. */
export const ERRNO_WHY: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

/** Create the lock file (which proves the folder takes new files); refuse while a live process holds it. */
export function takeLock(lock: string, label: string, dir: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeLock(lock);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code !== 'EEXIST') {
        const why = ERRNO_WHY[code] ?? code;
        const fix = code === 'ENOSPC' || code === 'EDQUOT' ? 'free some space' : 'choose a writable folder';
        throw new ReproError(`${label}: cannot create files in ${dir} (${why}); ${fix}`);
      }
      const holder = Number(readSmall(lock).trim());
      if (pidAlive(holder) && holder !== process.pid)
        throw new ReproError(
          `${label}: another reprune process (pid ${holder}) is writing this file; wait for it to finish or choose another path`,
        );
      // Left by a process that died (or by this one): take it over.
      fs.rmSync(lock, { force: true });
    }
  }
  throw new ReproError(`${label}: cannot lock ${lock}; remove it if no reprune process is running`);
}

/** Create `lock` exclusively holding this pid; a lock that could be created but not written is removed again. */
function writeLock(lock: string): void {
  const fd = fs.openSync(lock, 'wx');
  try {
    fs.writeSync(fd, `${process.pid}\n`);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(lock, { force: true });
    throw e;
  }
  fs.closeSync(fd);
}

/** Remove `lock` if this process holds it (a lock another process took over is left alone). */
export function releaseLock(lock: string): void {
  if (readSmall(lock).trim() === String(process.pid)) fs.rmSync(lock, { force: true });
}

/** The first bytes of a small file (a lock's pid), or an empty string when it cannot be read. */
function readSmall(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(0, 64);
  } catch {
    return '';
  }
}

/** Refuse when the folder has no room for the output (`bytes`, or any byte at all when the size is not known). */
export function checkSpace(dir: string, label: string, bytes: number | undefined): void {
  let free: number;
  try {
    const s = fs.statfsSync(dir);
    if (!s.blocks) return; // a file system that reports no size at all (some virtual ones) is not measured
    free = s.bavail * s.bsize;
  } catch {
    return; // no statfs here: the write reports a full disk instead
  }
  const need = Math.max(1, bytes ?? 1);
  if (free >= need) return;
  const size = bytes ? `, the output needs about ${formatBytes(bytes)}` : '';
  throw new ReproError(
    `${label}: only ${formatBytes(free)} free in ${dir}${size}; free some space or choose another folder`,
  );
}

/** Temp files of `base` left by processes that died (SIGKILL, power loss) are removed when it is claimed again. */
export function removeStaleTemps(dir: string, base: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const prefix = `.${base}.`;
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith('.tmp')) continue;
    const pid = Number(n.slice(prefix.length).split('.')[0]);
    if (!pidAlive(pid)) fs.rmSync(path.join(dir, n), { force: true });
  }
}

const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS', 'EMLINK']);

/** Put the finished temp file in place: rename, or — where replacing is not allowed — a link that fails if a file appeared. */
export function commitTemp(tmp: string, dest: string, noClobber: boolean, label: string): void {
  if (!noClobber) {
    fs.renameSync(tmp, dest);
    return;
  }
  const appeared = () =>
    new ReproError(
      `${label}: a file of that name appeared while reprune was writing; nothing replaced, pass --force to replace it`,
    );
  try {
    fs.linkSync(tmp, dest);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') throw appeared();
    if (!LINK_UNSUPPORTED.has(code)) throw e;
    if (fs.existsSync(dest)) throw appeared();
    fs.renameSync(tmp, dest);
    return;
  }
  fs.rmSync(tmp, { force: true });
}
