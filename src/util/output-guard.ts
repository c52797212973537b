/**
 * One guard for every file reprune writes (models, checkpoints, plots, plans, reports). Before any work a command
 * claims its outputs: each is compared with the inputs and the other outputs as files (device + inode, links
 * resolved), never as path strings; an existing file needs --force; a folder, pipe or device is never replaced;
 * the folder must accept a new file (the claim's lock file is that probe) and have free space. The lock is
 * advisory and per output: a second reprune process claiming the same output is refused while the first runs.
 * Writing goes through an exclusively created temp file that is renamed into place; temp files and locks are
 * removed on every exit path — errors, process exit, and SIGINT/SIGTERM/SIGHUP (re-raised after the cleanup).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReproError } from './errors.js';
import {
  checkExisting,
  type InputSpec,
  inoOf,
  inputIdentity,
  type OutputSpec,
  resolveTarget,
  type Target,
} from './output-target.js';
import { checkSpace, commitTemp, ERRNO_WHY, releaseLock, removeStaleTemps, takeLock } from './output-lock.js';

export interface ClaimOptions {
  inputs?: Array<string | InputSpec>;
  force?: boolean;
}

export type { InputSpec, OutputSpec } from './output-target.js';

interface Claim {
  flag: string;
  shown: string;
  /** Real folder + file name: the output's identity before it exists. */
  real: string;
  /** dev:ino of what the path names now, if it exists. */
  ino?: string;
  lock: string;
  mayReplace: boolean;
  keep: boolean;
}

const claims = new Map<string, Claim>();
const temps = new Set<string>();
/** Folders made for outputs: [the folder, the topmost folder that had to be created]. */
const madeFolders: Array<[string, string]> = [];

// ---------------------------------------------------------------- checks

/**
 * Refuse an output that is (another name of) an input, or of an output already claimed under another flag. Returns
 * this process's claim on the same file when there is one under the same flag (or `flag` is not given).
 */
function checkCollisions(
  t: Target,
  label: string,
  flag: string | undefined,
  inputs: ClaimOptions['inputs'],
): Claim | undefined {
  const ino = t.file ? inoOf(t.file) : undefined;
  for (const i of (inputs ?? []).map(inputIdentity)) {
    if (i.real === t.real || (ino && i.ino === ino))
      throw new ReproError(
        `${label}: same file as ${i.what} ${i.shown}; refusing to overwrite the input (also with --force), choose another path`,
      );
  }
  for (const c of claims.values()) {
    if (c.real !== t.real && !(ino && c.ino === ino)) continue;
    if (flag === undefined || c.flag === flag) return c;
    throw new ReproError(`${label}: same file as ${c.flag} ${c.shown}; give each output its own path`);
  }
  return undefined;
}

// ---------------------------------------------------------------- claims

/**
 * Check and claim outputs before any work (see the file comment). Claiming an output this process already
 * holds under the same flag is a no-op. On a refusal nothing of this call stays claimed.
 */
export function claimOutputs(outputs: OutputSpec[], o: ClaimOptions = {}): void {
  const made: Claim[] = [];
  try {
    for (const spec of outputs) {
      const c = claimOne(spec, o);
      if (c) made.push(c);
    }
  } catch (e) {
    for (const c of made) releaseClaim(c);
    throw e;
  }
}

function claimOne(spec: OutputSpec, o: ClaimOptions): Claim | undefined {
  const flag = spec.flag ?? '-o';
  const label = `${flag} ${spec.path}`;
  const t = resolveTarget(spec.path, label);
  if (checkCollisions(t, label, spec.flag, o.inputs)) return undefined;
  checkExisting(t, label, spec, o.force);
  const lock = path.join(t.dir, `.${t.base}.reprune-lock`);
  takeLock(lock, label, t.dir);
  const c: Claim = {
    flag,
    shown: spec.path,
    real: t.real,
    ino: t.file ? inoOf(t.file) : undefined,
    lock,
    mayReplace: !!(o.force || spec.replace),
    keep: !!spec.keep,
  };
  claims.set(c.real, c);
  installCleanup();
  try {
    checkSpace(t.dir, label, spec.bytes);
  } catch (e) {
    releaseClaim(c);
    throw e;
  }
  removeStaleTemps(t.dir, t.base);
  return c;
}

/**
 * Make an output folder (and missing parents) before any work, with a one-line error when it cannot be made.
 * Folders made here are removed again when the command ends with nothing written into them.
 */
export function ensureOutputFolder(dir: string, label: string): void {
  const abs = path.resolve(dir);
  let top: string | undefined;
  for (let p = abs; !fs.existsSync(p); p = path.dirname(p)) top = p;
  try {
    fs.mkdirSync(abs, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new ReproError(
      `${label}: cannot create the folder ${dir} (${ERRNO_WHY[code] ?? code}); choose a writable place`,
    );
  }
  if (top) madeFolders.push([abs, top]);
  installCleanup();
}

/** Remove folders made by `ensureOutputFolder` that stayed empty (innermost first, up to the first one made). */
function removeEmptyMadeFolders(): void {
  for (const [leaf, top] of madeFolders.splice(0).reverse()) {
    for (let p = leaf; ; p = path.dirname(p)) {
      try {
        fs.rmdirSync(p);
      } catch {
        break; // not empty (outputs were written) or already gone
      }
      if (p === top) break;
    }
  }
}

/** The claim on `file`, if this process holds one. */
function claimOf(file: string): Claim | undefined {
  if (!claims.size) return undefined;
  try {
    return claims.get(path.join(fs.realpathSync(path.dirname(path.resolve(file))), path.basename(file)));
  } catch {
    return undefined;
  }
}

/** Forget a claim and drop its lock (only if this process still holds it). */
function releaseClaim(c: Claim): void {
  claims.delete(c.real);
  releaseLock(c.lock);
  if (!claims.size) uninstallSignals();
}

/** Release every claim of this process (the CLI calls it when a command ends, however it ends). */
export function releaseAllClaims(): void {
  for (const c of [...claims.values()]) releaseClaim(c);
  removeEmptyMadeFolders();
}

/** Outputs this process holds now (tests). */
export function claimedOutputs(): string[] {
  return [...claims.keys()];
}

// ---------------------------------------------------------------- writing

/** Write `data` to a new, exclusively created temp file next to `dest` and move it into place. */
export function writeThroughTemp(dest: string, data: Uint8Array | string, replace: boolean): void {
  writeThroughTempWith(dest, (fd) => fs.writeFileSync(fd, data), replace);
}

/**
 * Like `writeThroughTemp`, but `write` fills the open temp file itself (in pieces, so a multi-GB output never has to
 * exist as one buffer in memory).
 */
export function writeThroughTempWith(dest: string, write: (fd: number) => void, replace: boolean): void {
  const claim = claimOf(dest);
  const label = claim ? `${claim.flag} ${dest}` : dest;
  const abs = path.resolve(dest);
  const tmp = path.join(
    path.dirname(abs),
    `.${path.basename(abs)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  installCleanup();
  try {
    const fd = fs.openSync(tmp, 'wx');
    temps.add(tmp);
    try {
      write(fd);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    commitTemp(tmp, abs, claim ? !claim.mayReplace : !replace, label);
    // The file is ours now: a claim kept for later writes (a checkpoint) replaces it from here on.
    if (claim) claim.mayReplace = true;
  } catch (e) {
    if (e instanceof ReproError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new ReproError(
      `${label}: cannot write (${ERRNO_WHY[code] ? `${code}: ${ERRNO_WHY[code]}` : code}); nothing was replaced`,
    );
  } finally {
    fs.rmSync(tmp, { force: true });
    temps.delete(tmp);
  }
  if (claim && !claim.keep) releaseClaim(claim);
}

// ---------------------------------------------------------------- cleanup on exit and signals

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let exitHooked = false;
let signalsHooked = false;

/** Remove this process's temp files and locks (synchronous: it also runs from 'exit' and signal handlers). */
function cleanupNow(): void {
  for (const t of temps) fs.rmSync(t, { force: true });
  temps.clear();
  for (const c of [...claims.values()]) releaseClaim(c);
  removeEmptyMadeFolders();
}

function onSignal(sig: NodeJS.Signals): void {
  // Another handler (the trainer's graceful Ctrl-C) owns this signal: it stops the run, and the CLI releases after.
  if (process.listenerCount(sig) > 1) return;
  cleanupNow();
  uninstallSignals();
  process.kill(process.pid, sig);
}

const handlers = Object.fromEntries(SIGNALS.map((s) => [s, () => onSignal(s)])) as Record<string, () => void>;

function installCleanup(): void {
  if (!exitHooked) {
    process.on('exit', cleanupNow);
    exitHooked = true;
  }
  // Signal handlers only while outputs are claimed: otherwise Node's default (exit at once) stays untouched.
  if (!signalsHooked && claims.size) {
    for (const s of SIGNALS) process.on(s, handlers[s]!);
    signalsHooked = true;
  }
}

function uninstallSignals(): void {
  if (!signalsHooked) return;
  for (const s of SIGNALS) process.off(s, handlers[s]!);
  signalsHooked = false;
}
