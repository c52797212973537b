/** Shared helpers for the robustness tests: tiny on-disk fixtures and the checks every error path must pass. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after } from 'node:test';
import { writeIdx } from '../../src/data/idx.js';
import { buildModel, type ZooArch } from '../../src/models/index.js';
import { saveOnnx } from '../../src/onnx/save.js';
import { isCleanError, tmpDir, type CliResult } from '../cli/helpers.js';

export { runCli, type CliResult } from '../cli/helpers.js';

/** A temp folder removed when the test file ends. */
export function scratch(prefix = 'reprune-robust-'): string {
  const dir = tmpDir(prefix);
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An untrained zoo model saved in `dir`. */
export function zooFile(dir: string, arch: ZooArch = 'mlp', name = `${arch}.onnx`): string {
  const file = path.join(dir, name);
  saveOnnx(buildModel(arch, { seed: 0 }), file);
  return file;
}

/**
 * A tiny IDX dataset folder (train and t10k splits). Images are u8 [n, h, w] with a label-dependent bright
 * patch (learnable), labels u8 in 0..9.
 */
export function idxDataset(dir: string, o: { n?: number; h?: number; w?: number } = {}): string {
  const { n = 64, h = 28, w = 28 } = o;
  fs.mkdirSync(dir, { recursive: true });
  const images = new Uint8Array(n * h * w);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    for (let k = 0; k < 8; k++) images[i * h * w + ((labels[i]! * 2 + k) % (h * w))] = 255;
  }
  for (const split of ['train', 't10k']) {
    writeIdx(path.join(dir, `${split}-images-idx3-ubyte`), images, [n, h, w]);
    writeIdx(path.join(dir, `${split}-labels-idx1-ubyte`), labels, [n]);
  }
  return dir;
}

/** Exit 2, exactly one `error: ...` line on stderr naming every string in `names`, no stack trace. */
export function assertCleanError(r: CliResult, names: string[], what?: RegExp): void {
  assert.ok(isCleanError(r), `expected a one-line error with exit 2, got code ${r.code}:\n${r.stderr}`);
  for (const n of names) assert.ok(r.stderr.includes(n), `the message should name '${n}': ${r.stderr.trim()}`);
  if (what) assert.match(r.stderr, what);
}

/** No half-written temp files (`.<name>.<pid>.<time>.tmp`) anywhere in `dir`. */
export function assertNoTempFiles(dir: string): void {
  const tmp = fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));
  assert.deepEqual(tmp, [], `temp files left behind in ${dir}`);
}

/** Run jobs with at most `limit` CLI processes alive at once (the machine may have two cores). */
export async function pool<T>(jobs: Array<() => Promise<T>>, limit = 3): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

export function sameBytes(a: string, b: string): boolean {
  return Buffer.compare(fs.readFileSync(a), fs.readFileSync(b)) === 0;
}

/**
 * Run the CLI's `main()` in this process, capturing stdout/stderr: the same code path as `node bin/reprune.js`
 * minus ~1.5 s of process start-up, for the many refusal cases. Calls must not overlap.
 */
export async function runInProcess(args: string[]): Promise<CliResult> {
  const { main } = await import('../../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  // The test runner reports results on stdout (serialized buffers) while a command runs: let those through.
  const ours = (s: unknown) => typeof s === 'string';
  process.stdout.write = ((s: string | Uint8Array, ...rest: never[]) => {
    if (!ours(s)) return out(s, ...rest);
    stdout += s as string;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array, ...rest: never[]) => {
    if (!ours(s)) return err(s, ...rest);
    stderr += s as string;
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(['--threads', '1', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
