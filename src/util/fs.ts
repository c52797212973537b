import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReproError } from './errors.js';

export interface WriteGuard {
  /** Files the command read; an output may never replace one of them. */
  inputs?: string[];
  /** Allow replacing an existing output file. */
  force?: boolean;
}

/** Refuse outputs that would overwrite an input, or an existing file without --force. */
export function checkOutputPath(out: string, guard: WriteGuard = {}): void {
  const abs = path.resolve(out);
  for (const inp of guard.inputs ?? []) {
    if (sameFile(abs, path.resolve(inp)))
      throw new ReproError(`-o ${out}: refusing to overwrite the input model; choose another output path`);
  }
  if (fs.existsSync(abs)) {
    if (fs.statSync(abs).isDirectory()) throw new ReproError(`-o ${out}: is a directory; give a file path`);
    if (!guard.force) throw new ReproError(`-o ${out}: file exists; pass --force to replace it`);
  }
  const dir = path.dirname(abs);
  if (!fs.existsSync(dir)) throw new ReproError(`-o ${out}: folder ${dir} does not exist`);
}

function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}

/** Write via a temp file in the same folder and rename, so a crash never leaves a half-written output. */
export function writeFileAtomic(file: string, data: Uint8Array | string, guard?: WriteGuard): void {
  if (guard) checkOutputPath(file, guard);
  const abs = path.resolve(file);
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, abs);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    if (e instanceof ReproError) throw e;
    throw new ReproError(`${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
