/**
 * What an output path names before reprune writes it: the real folder and entry (links resolved), an input's
 * identity (real path and inode), and the refusal of an existing entry that may not be replaced.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReproError } from './errors.js';
import { fileKind } from './read-file.js';

export interface OutputSpec {
  /** The path as the user gave it (messages show it so). */
  path: string;
  /** How messages name the output: '-o' (default), '--checkpoint', '--plot', ... */
  flag?: string;
  /** May replace an existing regular file without --force (resuming into the same checkpoint, a bench's results). */
  replace?: boolean;
  /** What to tell the user when the file exists and may not be replaced (default: pass --force). */
  existsHint?: string;
  /** Keep the claim after the first write (a checkpoint is written again every epoch). */
  keep?: boolean;
  /** Expected size in bytes, for the free-space check (default: any free space at all). */
  bytes?: number;
}

export interface InputSpec {
  path: string;
  /** How messages name it: 'the input model' (default), '--resume', '--plan', ... */
  what?: string;
}

export interface Target {
  real: string;
  dir: string;
  base: string;
  /** lstat of the entry itself (a link is a link), if any. */
  entry?: fs.Stats;
  /** stat through links, if the entry resolves. */
  file?: fs.Stats;
}

export const inoOf = (st: fs.Stats) => `${st.dev}:${st.ino}`;

function statOrUndefined(f: string, follow: boolean): fs.Stats | undefined {
  try {
    return follow ? fs.statSync(f) : fs.lstatSync(f);
  } catch {
    return undefined;
  }
}

/** Where `p` really lives: its folder with every link resolved, plus what the entry is now. */
export function resolveTarget(p: string, label: string): Target {
  const abs = path.resolve(p);
  const parent = path.dirname(abs);
  let dir: string;
  try {
    dir = fs.realpathSync(parent);
  } catch {
    throw new ReproError(`${label}: folder ${parent} does not exist`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new ReproError(`${label}: ${parent} is not a folder`);
  const base = path.basename(abs);
  const real = path.join(dir, base);
  return { real, dir, base, entry: statOrUndefined(real, false), file: statOrUndefined(real, true) };
}

/** An input's identity: its real path and, when it exists, its inode. */
export function inputIdentity(i: string | InputSpec): { shown: string; what: string; real: string; ino?: string } {
  const spec = typeof i === 'string' ? { path: i } : i;
  const abs = path.resolve(spec.path);
  let real = abs;
  try {
    real = fs.realpathSync(abs);
  } catch {
    /* a missing input is reported by its reader */
  }
  const st = statOrUndefined(abs, true);
  return { shown: spec.path, what: spec.what ?? 'the input model', real, ino: st ? inoOf(st) : undefined };
}

/** An existing entry: never a folder, pipe or device; a file only with --force (or when replacing is expected). */
export function checkExisting(t: Target, label: string, spec: OutputSpec, force: boolean | undefined): void {
  if (!t.entry) return;
  if (t.file?.isDirectory() || t.entry.isDirectory())
    throw new ReproError(`${label}: is a directory; give a file path`);
  if (t.file && !t.file.isFile())
    throw new ReproError(`${label}: is ${fileKind(t.file)}; reprune only writes regular files, choose another path`);
  if (!force && !spec.replace)
    throw new ReproError(`${label}: file exists; ${spec.existsHint ?? 'pass --force to replace it'}`);
}
