/** Run the real CLI (from source: `node --import tsx src/cli/run.ts ...`) in a child process and collect its output. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The CLI from source (tsx): `spawn(process.execPath, [...CLI, ...args])`. CI also runs the built `bin/reprune.js`. */
export const CLI = ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'run.ts')];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, '--threads', '1', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // A hang is a failure, not a stuck test run.
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A fresh temp folder, removed when the test process exits. */
export function tmpDir(prefix = 'reprune-cli-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The shape every user-facing failure must have: exit 2, exactly one stderr line `error: ...`, no stack. */
export function isCleanError(r: CliResult): boolean {
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  return r.code === 2 && lines.length === 1 && lines[0]!.startsWith('error: ') && !/\n\s+at /.test(r.stderr);
}
