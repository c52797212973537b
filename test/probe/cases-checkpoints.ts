/**
 * Checkpoints: a run killed at any moment (also right after one of its files was replaced) must leave a
 * checkpoint that resumes to the same model as an uninterrupted run; damaged training state must be refused with
 * one line before anything is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkpointState, copyCheckpoint, TRAIN_FLAGS } from './fixtures.js';
import { outputProblems, refusalProblems, runCli, type RunResult, shown } from './harness.js';
import { type Ctx, type ProbeCase, refuse } from './types.js';

type Json = Record<string, unknown> & {
  optimizer: { buffers: Record<string, unknown>; t: number };
  history: unknown[];
};

/** A damage that edits the parsed state in place (`key`: one optimizer buffer's name). */
const edit =
  (f: (s: Json, key: string) => void) =>
  (s: Json, _text: string, key: string): string => {
    f(s, key);
    return JSON.stringify(s);
  };

/** Ways to damage the state; each returns the new JSON text. `key` is one optimizer buffer's name. */
const DAMAGE: Array<[string, (s: Json, text: string, key: string) => string]> = [
  [
    'optimizer buffers missing',
    edit((s) => {
      delete (s.optimizer as Partial<Json['optimizer']>).buffers;
    }),
  ],
  ['optimizer buffers null', (s) => JSON.stringify({ ...s, optimizer: { ...s.optimizer, buffers: null } })],
  ['optimizer is null', (s) => JSON.stringify({ ...s, optimizer: null })],
  [
    'a buffer of 5 bytes (not whole floats)',
    edit((s, k) => {
      s.optimizer.buffers[k] = 'AQIDBAU=';
    }),
  ],
  [
    'a buffer one float short',
    (s, _, k) => {
      const b = Buffer.from(s.optimizer.buffers[k] as string, 'base64');
      s.optimizer.buffers[k] = b.subarray(0, b.length - 4).toString('base64');
      return JSON.stringify(s);
    },
  ],
  [
    'a buffer that is a number',
    edit((s, k) => {
      s.optimizer.buffers[k] = 12;
    }),
  ],
  [
    'a buffer for a parameter the model lacks',
    edit((s) => {
      s.optimizer.buffers['nope/momentum'] = 'AAAAAA==';
    }),
  ],
  ['__proto__ among the buffers', (_, t) => t.replace('"buffers":{', '"buffers":{"__proto__":{"x":"AAAAAA=="},')],
  ['constructor key at the top', (_, t) => `{"constructor":{"prototype":{"polluted":true}},${t.slice(1)}`],
  ['history is a string', (s) => JSON.stringify({ ...s, history: 'lots of epochs' })],
  [
    'a history loss is text',
    edit((s) => {
      s.history[0] = { ...(s.history[0] as object), loss: 'abc' };
    }),
  ],
  ['a history entry is empty', (s) => JSON.stringify({ ...s, history: [{}] })],
  [
    'the run key is missing',
    edit((s) => {
      delete s.key;
    }),
  ],
  ['the run key lists no parameters', (s) => JSON.stringify({ ...s, key: { ...(s.key as object), params: 7 } })],
  ['the batch size is text', (s) => JSON.stringify({ ...s, key: { ...(s.key as object), batchSize: '16' } })],
  ['epochsDone is negative', (s) => JSON.stringify({ ...s, epochsDone: -1 })],
  ['epochsDone is fractional', (s) => JSON.stringify({ ...s, epochsDone: 0.5 })],
  ['step is text', (s) => JSON.stringify({ ...s, step: 'NaN' })],
  ['optimizer step count is negative', (s) => JSON.stringify({ ...s, optimizer: { ...s.optimizer, t: -3 } })],
  [
    'partial epoch with text counters',
    (s) => JSON.stringify({ ...s, partial: { steps: 'x', lossSum: 0, hits: 0, seen: 0, lr: 0.1 } }),
  ],
  ['version 2', (s) => JSON.stringify({ ...s, version: 2 })],
  ['the state is an array', () => '[]'],
  ['the state is null', () => 'null'],
  ['the state is cut in half', (_, t) => t.slice(0, Math.floor(t.length / 2))],
];

function damaged(ctx: Ctx, what: string, damage: (typeof DAMAGE)[number][1]): ProbeCase {
  return refuse('checkpoints', `--resume with damaged training state: ${what}`, (dir) => {
    const ck = copyCheckpoint(ctx.shared.ck1, dir);
    const store = checkpointState(ck);
    const s = JSON.parse(store.text) as Json;
    const keys = Object.keys(s.optimizer.buffers).sort();
    store.write(damage(s, store.text, keys[ctx.rng.int(keys.length)]!));
    // The checkpoint finished a 1-epoch run: resuming it undamaged just writes the model.
    const args = ['train', ...TRAIN_FLAGS, '--data', ctx.shared.ckData, '--epochs', '1'];
    return {
      args: [...args, '--checkpoint', 'ck.onnx', '--resume', 'ck.onnx', '-o', 'out.onnx'],
      mention: ['ck.onnx'],
    };
  });
}

/**
 * Train 3 epochs with a checkpoint and SIGKILL the run (right after the checkpoint model was replaced for the
 * `afterWrites`-th time, or after `delayMs`); then resume. The resumed run must give the reference output
 * byte for byte, or — killed before any checkpoint existed — be refused with one line.
 */
function killed(ctx: Ctx, name: string, when: { afterWrites?: number; fraction?: number }): ProbeCase {
  return {
    cls: 'checkpoints',
    name,
    async run(dir) {
      const args = ['train', ...TRAIN_FLAGS, '--data', ctx.shared.ckData, '--epochs', '3', '--checkpoint', 'ck.onnx'];
      const ck = path.join(dir, 'ck.onnx');
      const delayMs = when.fraction === undefined ? undefined : when.fraction * ctx.shared.ref3Ms;
      const first = await runKilled([...args, '-o', 'out.onnx'], dir, ck, { ...when, delayMs });
      if (first.code === 0) {
        // Finished before the kill: nothing to resume, but the output must still be the reference.
        const same = fs.readFileSync(path.join(dir, 'out.onnx')).equals(fs.readFileSync(ctx.shared.ref3));
        return { problems: same ? [] : ['the run differs from the reference run', shown(first)] };
      }
      const hadCheckpoint = fs.existsSync(ck);
      const r = await runCli([...args, '--resume', 'ck.onnx', '-o', 'out.onnx'], { cwd: dir, timeoutMs: 120_000 });
      const problems = hadCheckpoint ? outputProblems(r) : refusalProblems(r, ['ck.onnx']);
      if (hadCheckpoint && r.code !== 0) problems.push('the checkpoint left by the killed run does not resume');
      if (r.code === 0 && !fs.readFileSync(path.join(dir, 'out.onnx')).equals(fs.readFileSync(ctx.shared.ref3)))
        problems.push('the resumed model differs from the uninterrupted run');
      const left = fs.readdirSync(dir).filter((f) => f.startsWith('.'));
      if (left.length) problems.push(`left behind after the resumed run: ${left.join(', ')}`);
      return { problems: problems.length ? [...problems, `killed run: ${shown(first)}`, shown(r)] : [] };
    },
  };
}

async function runKilled(
  args: string[],
  dir: string,
  ck: string,
  when: { afterWrites?: number; delayMs?: number },
): Promise<RunResult> {
  let pid = 0;
  let watcher: fs.FSWatcher | undefined;
  const inodes = new Set<number>();
  const kill = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const onSpawn = (p: number) => {
    pid = p;
    if (when.delayMs !== undefined) setTimeout(kill, when.delayMs);
    if (when.afterWrites === undefined) return;
    // Every replacement of the checkpoint model gives it a new inode: kill as soon as the n-th one appears.
    watcher = fs.watch(dir, () => {
      try {
        inodes.add(fs.statSync(ck).ino);
      } catch {
        return;
      }
      if (inodes.size >= when.afterWrites!) kill();
    });
  };
  try {
    return await runCli(args, { cwd: dir, timeoutMs: 120_000, onSpawn });
  } finally {
    watcher?.close();
  }
}

export function checkpointCases(ctx: Ctx): ProbeCase[] {
  return [
    ...DAMAGE.map(([what, f]) => damaged(ctx, what, f)),
    killed(ctx, 'killed right after the epoch-2 checkpoint model was replaced, then --resume', { afterWrites: 2 }),
    killed(ctx, 'killed right after the epoch-1 checkpoint model was replaced, then --resume', { afterWrites: 1 }),
    killed(ctx, 'killed at a seeded moment, then --resume', { fraction: 0.5 + 0.45 * ctx.rng.next() }),
    killed(ctx, 'killed at another seeded moment, then --resume', { fraction: 0.5 + 0.45 * ctx.rng.next() }),
    refuse('checkpoints', '--resume with other training flags than the checkpoint', (dir) => {
      copyCheckpoint(ctx.shared.ck1, dir);
      const args = [
        'train',
        '--arch',
        'mlp',
        '--batch',
        '8',
        '--seed',
        '3',
        '--data',
        ctx.shared.ckData,
        '--epochs',
        '1',
      ];
      return {
        args: [...args, '--checkpoint', 'ck.onnx', '--resume', 'ck.onnx', '-o', 'out.onnx'],
        mention: ['ck.onnx'],
      };
    }),
    refuse('checkpoints', '--resume a checkpoint that does not exist', () => {
      const args = ['train', ...TRAIN_FLAGS, '--data', ctx.shared.ckData, '--epochs', '1'];
      return {
        args: [...args, '--checkpoint', 'ck.onnx', '--resume', 'ck.onnx', '-o', 'out.onnx'],
        mention: ['ck.onnx'],
      };
    }),
  ];
}
