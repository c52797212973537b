/**
 * The probe suite's machinery: run the real CLI in a child process under a watchdog and a memory cap, take a
 * snapshot of a folder (every entry, hidden ones included, with a content hash), and judge a run the way every
 * user error must look: exit 2, exactly one `error:` line on stderr, no stack trace, nothing printed that could
 * drive a terminal, and the folder exactly as it was.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The CLI under test: the sources through tsx (default), or with REPRUNE_PROBE_CLI=dist the built package
 * (`bin/reprune.js`, 3-4× faster to start; CI builds it first).
 */
const CLI_ARGV =
  process.env.REPRUNE_PROBE_CLI === 'dist'
    ? [path.join(ROOT, 'bin', 'reprune.js')]
    : ['--import', fileURLToPath(import.meta.resolve('tsx')), path.join(ROOT, 'src', 'cli', 'run.ts')];
/** A runaway read (e.g. of /dev/zero) must not take the machine down: each child gets at most this much data memory. */
const DATA_LIMIT_KB = 4 * 1024 * 1024;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The watchdog killed the child. */
  hung: boolean;
  ms: number;
}

export interface RunOptions {
  cwd: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Called once the child runs (to signal it, or to start a second writer). */
  onSpawn?: (pid: number) => void;
  /** Let the child inherit no --threads flag (the harness passes `--threads 1` by default). */
  noThreads?: boolean;
}

/** `reprune <args>` with `--threads 1`, a data-memory cap and a watchdog. */
export function runCli(args: string[], o: RunOptions): Promise<RunResult> {
  const argv = [process.execPath, ...CLI_ARGV, ...(o.noThreads ? [] : ['--threads', '1']), ...args];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    // `ulimit -d` caps writable data (not the address space, which V8 and WebAssembly reserve in bulk); where the
    // hard limit is already lower, the child simply keeps that.
    const child = spawn('/bin/sh', ['-c', `ulimit -d ${DATA_LIMIT_KB} 2>/dev/null; exec "$@"`, 'sh', ...argv], {
      cwd: o.cwd,
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, o.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('spawn', () => o.onSpawn?.(child.pid!));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, hung, ms: performance.now() - t0 });
    });
  });
}

/** One entry of a snapshot: kind, and for files size + mode + content hash, for links the target. */
function describeEntry(file: string): string {
  const st = fs.lstatSync(file);
  const mode = (st.mode & 0o7777).toString(8);
  if (st.isSymbolicLink()) return `link -> ${fs.readlinkSync(file)}`;
  if (st.isDirectory()) return `dir ${mode}`;
  if (st.isFIFO()) return `fifo ${mode}`;
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return `device ${st.rdev}`;
  const hash = createHash('sha1').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
  return `file ${st.size} ${mode} ${hash}`;
}

/** Every entry under `dir` (not following links), hidden files included. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const full = path.join(d, name);
      const desc = describeEntry(full);
      out.set(path.relative(dir, full), desc);
      if (desc.startsWith('dir ')) walk(full);
    }
  };
  walk(dir);
  return out;
}

/** What changed between two snapshots, one line per entry; `allowed` names entries that may be added or change. */
export function diffSnapshots(
  before: Map<string, string>,
  after: Map<string, string>,
  allowed: string[] = [],
): string[] {
  const out: string[] = [];
  for (const [k, v] of before) {
    if (!after.has(k)) out.push(`removed ${k}`);
    else if (after.get(k) !== v && !allowed.includes(k)) out.push(`changed ${k} (${v} → ${after.get(k)})`);
  }
  for (const k of after.keys()) if (!before.has(k) && !allowed.includes(k)) out.push(`left behind ${k}`);
  return out;
}

/** Characters that must never reach a terminal raw: C0 (but newline), DEL, C1, format characters (bidi, zero-width), line/paragraph separators. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

export function unsafeChars(s: string): string[] {
  const found = new Set<string>();
  for (const ch of s) {
    if (ch === '\n') continue;
    if (UNSAFE.test(ch) || /[\ud800-\udfff]/.test(ch))
      found.add(`U+${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  }
  return [...found];
}

/** Problems with what a run printed, whatever its outcome: stack traces and raw control characters. */
export function outputProblems(r: RunResult): string[] {
  const p: string[] = [];
  if (r.hung) p.push('hung: killed by the watchdog');
  if (/\n\s+at |internal error|^\s*at .*:\d+:\d+/m.test(r.stderr)) p.push('stack trace or internal error on stderr');
  const bad = [...unsafeChars(r.stdout), ...unsafeChars(r.stderr)];
  if (bad.length) p.push(`raw control/format characters printed: ${[...new Set(bad)].join(' ')}`);
  return p;
}

/** Problems with a run that should have been refused: exit 2, one `error:` line naming each of `mention`, no stdout. */
export function refusalProblems(r: RunResult, mention: string[] = []): string[] {
  const p = outputProblems(r);
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  if (r.code !== 2) p.push(`exit ${r.code ?? r.signal}, expected 2`);
  if (lines.length !== 1 || !lines[0]!.startsWith('error: '))
    p.push(`stderr should be one 'error:' line, got ${lines.length} line(s)`);
  if (r.stdout.length) p.push('printed on stdout');
  for (const m of mention) if (!r.stderr.includes(m)) p.push(`the error does not name '${m}'`);
  return p;
}

/** Bounded display of what a run printed, for failure reports. */
export function shown(r: RunResult): string {
  // The report itself must not drive the terminal: escape what JSON.stringify leaves raw.
  const clip = (s: string) =>
    JSON.stringify(s.length > 400 ? `${s.slice(0, 400)}…` : s).replace(
      /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu,
      (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`,
    );
  return `exit ${r.code ?? r.signal}${r.hung ? ' (hung)' : ''}, stderr ${clip(r.stderr)}`;
}

/** Wait until `pred` holds (polling), or give up after `ms`. */
export async function waitFor(pred: () => boolean, ms: number, every = 5): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return pred();
}
