/**
 * Special files: /dev/zero (endless), named pipes (block on open and on read), sockets and folders given where
 * a regular file is read or written. Each must be refused at once with one line, never read forever or block.
 */
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as path from 'node:path';
import { copyCheckpoint, fifo, idxData, model, npyData, socket, TRAIN_FLAGS } from './fixtures.js';
import { type Ctx, fileName, type ProbeCase, refuse, refuseOrSucceed } from './types.js';

/** Special-file cases hang when they go wrong: a short watchdog keeps the suite quick. */
const QUICK = 15_000;

export function specialCases(ctx: Ctx): ProbeCase[] {
  const { rng, shared } = ctx;
  const m = fileName(rng, 'model', '.onnx');
  const zero = (dir: string, name: string) => {
    fs.symlinkSync('/dev/zero', path.join(dir, name));
    return name;
  };
  let server: net.Server | undefined;
  return [
    refuse('special', 'info /dev/zero', () => ({
      args: ['info', '/dev/zero'],
      mention: ['/dev/zero'],
      timeoutMs: QUICK,
    })),
    refuse('special', 'info /dev/zero with --max-memory 64', () => ({
      args: ['--max-memory', '64', 'info', '/dev/zero'],
      mention: ['/dev/zero'],
      timeoutMs: QUICK,
    })),
    refuse('special', 'info a symlink to /dev/zero', (dir) => ({
      args: ['info', zero(dir, m)],
      mention: [m],
      timeoutMs: QUICK,
    })),
    refuse('special', 'info a named pipe nobody writes', (dir) => ({
      args: ['info', path.basename(fifo(path.join(dir, m)))],
      mention: [m],
      timeoutMs: QUICK,
    })),
    refuse('special', 'eval a named pipe as the model', (dir) => ({
      args: ['eval', path.basename(fifo(path.join(dir, m))), '--data', shared.data],
      mention: [m],
      timeoutMs: QUICK,
    })),
    refuse('special', 'info a Unix socket', async (dir) => {
      server = await socket(path.join(dir, m));
      return { args: ['info', m], mention: [m], timeoutMs: QUICK, release: () => void server?.close() };
    }),
    refuse('special', 'info a folder', (dir) => {
      fs.mkdirSync(path.join(dir, m));
      return { args: ['info', m], mention: [m], timeoutMs: QUICK };
    }),
    refuse('special', 'eval with x_test.npy a symlink to /dev/zero', (dir) => {
      model(dir, m);
      const data = npyData(path.join(dir, 'data'));
      fs.rmSync(path.join(data, 'x_test.npy'));
      fs.symlinkSync('/dev/zero', path.join(data, 'x_test.npy'));
      return { args: ['eval', m, '--data', 'data'], mention: ['x_test.npy'], timeoutMs: QUICK };
    }),
    refuse('special', 'eval with the test images a named pipe', (dir) => {
      model(dir, m);
      const data = idxData(path.join(dir, 'data'));
      fs.rmSync(path.join(data, 't10k-images-idx3-ubyte'));
      fifo(path.join(data, 't10k-images-idx3-ubyte'));
      return { args: ['eval', m, '--data', 'data'], mention: ['t10k-images-idx3-ubyte'], timeoutMs: QUICK };
    }),
    refuse('special', 'train with the training labels a named pipe (gzip name)', (dir) => {
      const data = idxData(path.join(dir, 'data'));
      fs.rmSync(path.join(data, 'train-labels-idx1-ubyte'));
      fifo(path.join(data, 'train-labels-idx1-ubyte.gz'));
      return {
        args: ['train', ...TRAIN_FLAGS, '--data', 'data', '--epochs', '1', '-o', 'out.onnx'],
        mention: ['train-labels-idx1-ubyte.gz'],
        timeoutMs: QUICK,
      };
    }),
    refuse('special', 'eval with --data a named pipe', (dir) => {
      model(dir, m);
      fifo(path.join(dir, 'data'));
      return { args: ['eval', m, '--data', 'data'], mention: ['data'], timeoutMs: QUICK };
    }),
    refuse('special', 'prune --plan a named pipe', (dir) => {
      model(dir, m);
      fifo(path.join(dir, 'plan.json'));
      return { args: ['prune', m, '-o', 'out.onnx', '--plan', 'plan.json'], mention: ['plan.json'], timeoutMs: QUICK };
    }),
    refuse('special', 'report a named pipe', (dir) => {
      fifo(path.join(dir, 'r.json'));
      return { args: ['report', 'r.json', '-o', 'r.html'], mention: ['r.json'], timeoutMs: QUICK };
    }),
    refuse('special', 'train --resume a named pipe', (dir) => {
      fifo(path.join(dir, 'ck.onnx'));
      const args = ['train', ...TRAIN_FLAGS, '--data', shared.ckData, '--epochs', '1'];
      return {
        args: [...args, '--checkpoint', 'ck.onnx', '--resume', 'ck.onnx', '-o', 'out.onnx'],
        mention: ['ck.onnx'],
        timeoutMs: QUICK,
      };
    }),
    refuseOrSucceed(
      'special',
      'train --resume with a named pipe where the side file would be',
      ['ck.onnx', 'out.onnx'],
      (dir) => {
        copyCheckpoint(shared.ck1, dir);
        const side = path.join(dir, 'ck.onnx.train.json');
        // Checkpoints with a side file must refuse an endless one; single-file checkpoints never read it.
        fs.rmSync(side, { force: true });
        fifo(side);
        const args = ['train', ...TRAIN_FLAGS, '--data', shared.ckData, '--epochs', '1'];
        return {
          args: [...args, '--checkpoint', 'ck.onnx', '--resume', 'ck.onnx', '-o', 'out.onnx'],
          timeoutMs: 30_000,
        };
      },
    ),
    refuse('special', 'finetune --teacher /dev/zero', (dir) => {
      model(dir, m);
      return {
        args: ['finetune', m, '--data', shared.data, '--epochs', '1', '--teacher', '/dev/zero', '-o', 'out.onnx'],
        mention: ['/dev/zero'],
        timeoutMs: QUICK,
      };
    }),
    refuse('special', 'export-zoo -o an existing named pipe (--force)', (dir) => {
      fifo(path.join(dir, 'out.onnx'));
      return { args: ['export-zoo', 'mlp', '-o', 'out.onnx', '--force'], mention: ['-o'], timeoutMs: QUICK };
    }),
    refuse('special', 'prune --plot an existing named pipe (--force)', (dir) => {
      model(dir, m);
      fifo(path.join(dir, 'plot.svg'));
      const args = ['prune', m, '-o', 'out.onnx', '--method', 'tile', '--sparsity', '0.5', '--plot', 'plot.svg'];
      return { args: [...args, '--force'], mention: ['--plot'], timeoutMs: QUICK };
    }),
  ];
}
