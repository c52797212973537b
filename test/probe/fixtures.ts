/**
 * Files the probe cases are built from, made by the suite itself: zoo models (plain or with hostile names),
 * tiny IDX/.npy datasets with chosen labels, named pipes, sockets, read-only and full folders, and checkpoints
 * written by a real training run. Everything lives under one temp root; nothing outside it is written.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { writeIdx } from '../../src/data/idx.js';
import { writeNpy } from '../../src/data/npy.js';
import type { Graph } from '../../src/ir/graph.js';
import { buildModel, type ZooArch } from '../../src/models/index.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { runCli } from './harness.js';

/** Training flags every checkpoint case shares: a resumed run must use the same ones. */
export const TRAIN_FLAGS = ['--arch', 'mlp', '--batch', '16', '--seed', '3'];

/** A zoo model written as `dir/name`. */
export function model(dir: string, name = 'm.onnx', arch: ZooArch = 'mlp', numClasses = 10): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, encodeModel(buildModel(arch, { seed: 0, numClasses })));
  return file;
}

/** Images with a label-dependent bright patch, so a few steps of training move the loss. */
function images(n: number): Uint8Array {
  const px = new Uint8Array(n * 784);
  for (let i = 0; i < n; i++) for (let k = 0; k < 8; k++) px[i * 784 + (((i % 10) * 37 + k) % 784)] = 255;
  return px;
}

export type Labels = Uint8Array | Int32Array | Float32Array | BigInt64Array;

/** An IDX dataset folder (train + t10k) of `n` 28×28 images; labels default to i % 10. */
export function idxData(dir: string, o: { n?: number; train?: Labels; test?: Labels } = {}): string {
  const n = o.n ?? 64;
  fs.mkdirSync(dir, { recursive: true });
  const dflt = Uint8Array.from({ length: n }, (_, i) => i % 10);
  for (const [split, labels] of [
    ['train', o.train ?? dflt],
    ['t10k', o.test ?? dflt],
  ] as const) {
    writeIdx(path.join(dir, `${split}-images-idx3-ubyte`), images(n), [n, 28, 28]);
    if (labels instanceof BigInt64Array) throw new Error('IDX has no int64 labels; use npyData');
    writeIdx(path.join(dir, `${split}-labels-idx1-ubyte`), labels, [labels.length]);
  }
  return dir;
}

/** A `.npy` dataset folder (x_/y_ train and test); any label array type. */
export function npyData(dir: string, o: { n?: number; train?: Labels; test?: Labels } = {}): string {
  const n = o.n ?? 64;
  fs.mkdirSync(dir, { recursive: true });
  const dflt = Int32Array.from({ length: n }, (_, i) => i % 10);
  for (const [split, labels] of [
    ['train', o.train ?? dflt],
    ['test', o.test ?? dflt],
  ] as const) {
    writeNpy(path.join(dir, `x_${split}.npy`), images(n), [n, 28, 28]);
    writeNpy(path.join(dir, `y_${split}.npy`), labels, [labels.length]);
  }
  return dir;
}

export function fifo(file: string): string {
  execFileSync('mkfifo', [file]);
  return file;
}

/** A listening Unix socket at `file`; close it after the case. */
export function socket(file: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(file, () => resolve(s));
  });
}

export const isRoot = process.getuid?.() === 0;

function tryMount(dir: string, opts: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    /* not mounted */
  }
}

/**
 * A folder nobody may write to: a read-only tmpfs when running as root (root ignores permission bits), else
 * mode 0555. Returns undefined when neither works; `release` makes it removable again.
 */
export function readOnlyDir(dir: string): { dir: string; release: () => void } | undefined {
  fs.mkdirSync(dir);
  if (isRoot) return tryMount(dir, 'ro,size=1m') ? { dir, release: () => unmount(dir) } : undefined;
  fs.chmodSync(dir, 0o555);
  return { dir, release: () => fs.chmodSync(dir, 0o755) };
}

/** A folder on a tiny tmpfs filled to the last byte (root only), or undefined. */
export function fullDir(dir: string): { dir: string; release: () => void } | undefined {
  fs.mkdirSync(dir);
  if (!isRoot || !tryMount(dir, 'size=256k')) return undefined;
  const fill = path.join(dir, 'filler.bin');
  const fd = fs.openSync(fill, 'w');
  try {
    const chunk = Buffer.alloc(4096, 7);
    for (;;) fs.writeSync(fd, chunk);
  } catch {
    /* ENOSPC: full */
  } finally {
    fs.closeSync(fd);
  }
  return { dir, release: () => unmount(dir) };
}

/** Rename every node, the graph, and the model's input and output values to names made from `names()`. */
export function renamed(g: Graph, names: () => string): Graph {
  g.name = names();
  g.producerName = names();
  const map = new Map<string, string>();
  for (const v of [...g.inputs, ...g.outputs]) map.set(v.name, names());
  for (const n of g.nodes) {
    n.name = names();
    n.inputs = n.inputs.map((x) => map.get(x) ?? x);
    n.outputs = n.outputs.map((x) => map.get(x) ?? x);
  }
  for (const v of [...g.inputs, ...g.outputs]) v.name = map.get(v.name)!;
  const inits = [...g.initializers];
  g.initializers.clear();
  for (const [k, t] of inits) {
    const name = names();
    g.initializers.set(name, t);
    for (const n of g.nodes) n.inputs = n.inputs.map((x) => (x === k ? name : x));
  }
  g.invalidateNames();
  return g;
}

/** Where a checkpoint keeps its training state: a side file (older format) or a metadata entry of the model. */
export interface StateStore {
  text: string;
  write(text: string): void;
}

/** The training state of the checkpoint `ck` in whatever format this version of reprune writes. */
export function checkpointState(ck: string): StateStore {
  const side = `${ck}.train.json`;
  if (fs.existsSync(side)) return { text: fs.readFileSync(side, 'utf8'), write: (t) => fs.writeFileSync(side, t) };
  const g = decodeModel(fs.readFileSync(ck), { where: ck });
  const key = Object.keys(g.metadata).find((k) => g.metadata[k]!.includes('"epochsDone"'));
  if (!key) throw new Error(`${ck}: no training state found (neither a side file nor a metadata entry)`);
  return {
    text: g.metadata[key]!,
    write: (t) => {
      g.metadata[key] = t;
      fs.writeFileSync(ck, encodeModel(g));
    },
  };
}

/** Train the tiny mlp for `epochs` with a checkpoint in `dir` (the checkpoint cases start from it). */
export async function trainedCheckpoint(
  dir: string,
  data: string,
  epochs: number,
  out: string,
): Promise<{ ck: string; ms: number }> {
  fs.mkdirSync(dir, { recursive: true });
  const r = await runCli(
    ['train', ...TRAIN_FLAGS, '--data', data, '--epochs', String(epochs), '--checkpoint', 'ck.onnx', '-o', out],
    { cwd: dir, timeoutMs: 120_000 },
  );
  if (r.code !== 0) throw new Error(`probe setup: training with a checkpoint failed: ${r.stderr}`);
  return { ck: path.join(dir, 'ck.onnx'), ms: r.ms };
}

/** Copy the checkpoint `ck` (and its side file, if any) into `dir` under its own name. */
export function copyCheckpoint(ck: string, dir: string): string {
  const to = path.join(dir, path.basename(ck));
  fs.copyFileSync(ck, to);
  if (fs.existsSync(`${ck}.train.json`)) fs.copyFileSync(`${ck}.train.json`, `${to}.train.json`);
  return to;
}
