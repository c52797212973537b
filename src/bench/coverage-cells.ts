/**
 * One cell of the coverage matrix: a real `reprune` CLI run (a child process, as a user runs it) with a timeout,
 * then a check of what it wrote with ONNX Runtime itself (not reprune's IR): the function is preserved, the output
 * runs, MACs really drop. A failing cell carries one line: the CLI's `error:` line or the failed check.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrt } from '../runtime/ort.js';
import { SeededRng } from '../util/random.js';
import type { BnVariant } from './coverage-models.js';

export interface CellResult {
  ok: boolean;
  /** The one-line reason of a failure (undefined when ok). */
  reason?: string;
  /** Wall seconds on a shared machine: which cells are slow, never a timing result. */
  seconds?: number;
}

/** One model in one BatchNorm variant: a cell per column. */
export interface CoverageRow {
  model: string;
  bn: BnVariant;
  params?: number;
  note?: string;
  cells: Record<string, CellResult>;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The CLI the bench itself runs from: the compiled bin/reprune.js, or the sources through tsx under tsx. */
function cliEntry(): string[] {
  if (import.meta.url.endsWith('.ts')) return ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'run.ts')];
  return [path.join(ROOT, 'bin', 'reprune.js')];
}

const running = new Set<ChildProcess>();

/**
 * Children die with the bench: a SIGTERM to the bench alone (not its process group) used to leave a 15-minute LOP
 * run behind, competing with whatever ran next.
 */
let hooked = false;
function killChildrenWithBench(): void {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const c of running) c.kill('SIGKILL');
  };
  process.on('exit', killAll);
  process.once('SIGTERM', () => {
    killAll();
    process.exit(143);
  });
}

/** `reprune --threads 1 <args>` in a child process, killed after `timeoutS` seconds (or when the bench ends). */
export function runReprune(args: string[], timeoutS: number): Promise<CliRun> {
  killChildrenWithBench();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliEntry(), '--threads', '1', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** Why a CLI run failed, in one line (undefined when it exited 0). A stack trace is itself the failure named. */
export function failureReason(r: CliRun, timeoutS: number): string | undefined {
  if (r.timedOut) return `timed out after ${timeoutS} s`;
  if (r.code === 0) return undefined;
  const lines = r.stderr.split('\n').filter((l) => l.trim().length > 0);
  const error = lines.find((l) => l.startsWith('error: '));
  if (error && !/\n\s+at /.test(r.stderr)) return oneLine(error.slice('error: '.length));
  const first = lines.find((l) => !/^\s+at /.test(l)) ?? `exit code ${r.code}`;
  return oneLine(`crashed with a stack trace (exit ${r.code}): ${first}`);
}

export const oneLine = (s: string, max = 300) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** The JSON summary a `--json` run printed (its last JSON line), or undefined. */
export function jsonOf(r: CliRun): Record<string, unknown> | undefined {
  const text = r.stdout.trim();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    const last = text
      .split('\n')
      .reverse()
      .find((l) => l.startsWith('{'));
    return last ? (JSON.parse(last) as Record<string, unknown>) : undefined;
  }
}

export interface OrtOutput {
  dims: number[];
  data: Float32Array;
}

/** A seeded batch of 2 images in [0, 1) for the model's input [N, 3, size, size]. */
export function probeInput(size: number): { data: Float32Array; dims: number[] } {
  const dims = [2, 3, size, size];
  const rng = new SeededRng(1);
  return { data: new Float32Array(dims.reduce((a, b) => a * b, 1)).map(() => rng.next()), dims };
}

/** The first output of `file` on `input`, computed by ONNX Runtime directly (one thread, session released). */
export async function ortOutput(file: string, input: { data: Float32Array; dims: number[] }): Promise<OrtOutput> {
  const ort = await loadOrt();
  // Severity 4 (fatal only: errors are thrown, not also logged): the cell carries the one line.
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    logSeverityLevel: 4,
  });
  try {
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input.data, input.dims) };
    const out = (await session.run(feeds))[session.outputNames[0]!]!;
    return { dims: [...out.dims], data: Float32Array.from(out.data as Float32Array) };
  } finally {
    await session.release();
  }
}

/** Runs `file` in ORT and compares it to the reference: same shape, finite, and max|f−g| ≤ tol·max|f| when tol. */
export async function checkOutput(file: string, input: Parameters<typeof ortOutput>[1], ref: OrtOutput, tol?: number) {
  let out: OrtOutput;
  try {
    out = await ortOutput(file, input);
  } catch (e) {
    return `output does not run in ONNX Runtime: ${oneLine((e as Error).message, 200)}`;
  }
  if (out.dims.join(',') !== ref.dims.join(','))
    return `output shape [${out.dims}] differs from the model's [${ref.dims}]`;
  if (!out.data.every(Number.isFinite)) return 'output has NaN or infinite values';
  if (tol === undefined) return undefined;
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < ref.data.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(ref.data[i]!));
    maxDiff = Math.max(maxDiff, Math.abs(ref.data[i]! - out.data[i]!));
  }
  if (maxDiff <= tol * maxRef) return undefined;
  return `function changed: max|f−g| = ${maxDiff.toExponential(2)} > ${tol}·max|f| (max|f| = ${maxRef.toPrecision(3)})`;
}
