import * as path from 'node:path';
import { model, npyData, type Labels, TRAIN_FLAGS } from './fixtures.js';
import { type Ctx, type ProbeCase, refuse } from './types.js';

const N = 64;

/** Labels i % k with `value` at a seeded position. */
function labelsWith<T extends Labels>(ctx: Ctx, make: (n: number) => T, value: number | bigint, k = 10): T {
  const a = make(N);
  for (let i = 0; i < N; i++)
    (a as unknown as number[])[i] = (typeof value === 'bigint' ? BigInt(i % k) : i % k) as number;
  (a as unknown as Array<number | bigint>)[ctx.rng.int(N)] = value;
  return a;
}

const i32 = (n: number) => new Int32Array(n);

export function labelCases(ctx: Ctx): ProbeCase[] {
  const big = 10 + ctx.rng.int(990);
  const trainArgs = (data: string) => ['train', ...TRAIN_FLAGS, '--data', data, '--epochs', '1'];
  const withModel = (dir: string) => path.basename(model(dir, 'm.onnx'));
  return [
    refuse('labels', 'train: a training label of 2147483647', (dir) => {
      npyData(path.join(dir, 'd'), { train: labelsWith(ctx, i32, 2147483647) });
      return { args: [...trainArgs('d'), '-o', 'out.onnx'], mention: ['2147483647'] };
    }),
    refuse('labels', 'train: a single training label of 3,000,000', (dir) => {
      npyData(path.join(dir, 'd'), { train: labelsWith(ctx, i32, 3_000_000) });
      return { args: [...trainArgs('d'), '-o', 'out.onnx'], mention: ['3000000'] };
    }),
    refuse('labels', 'train: a negative training label', (dir) => {
      npyData(path.join(dir, 'd'), { train: labelsWith(ctx, i32, -1 - ctx.rng.int(100)) });
      return { args: [...trainArgs('d'), '-o', 'out.onnx'], mention: ['y_train.npy'] };
    }),
    refuse('labels', 'train: a fractional training label', (dir) => {
      npyData(path.join(dir, 'd'), { train: labelsWith(ctx, (n) => new Float32Array(n), 1.5) });
      return { args: [...trainArgs('d'), '-o', 'out.onnx'], mention: ['1.5'] };
    }),
    refuse('labels', 'train: an int64 label beyond 2^53', (dir) => {
      npyData(path.join(dir, 'd'), { train: labelsWith(ctx, (n) => new BigInt64Array(n), 2n ** 60n) });
      return { args: [...trainArgs('d'), '-o', 'out.onnx'], mention: ['y_train.npy'] };
    }),
    refuse('labels', 'train --classes 50000000', () => ({
      args: [...trainArgs(ctx.shared.data), '--classes', '50000000', '-o', 'out.onnx'],
      mention: ['--classes', '50000000'],
    })),
    refuse('labels', 'export-zoo --classes 50000000', () => ({
      args: ['export-zoo', 'mlp', '--classes', '50000000', '-o', 'out.onnx'],
      mention: ['--classes'],
    })),
    refuse('labels', 'train --classes 5 with a training label 7', (dir) => {
      npyData(path.join(dir, 'd'), { train: labelsWith(ctx, i32, 7, 5), test: labelsWith(ctx, i32, 4, 5) });
      return { args: [...trainArgs('d'), '--classes', '5', '-o', 'out.onnx'], mention: ['7'] };
    }),
    refuse('labels', 'train: a test label outside the training classes (checked before training)', (dir) => {
      npyData(path.join(dir, 'd'), { train: labelsWith(ctx, i32, 4, 5), test: labelsWith(ctx, i32, 7, 5) });
      return { args: [...trainArgs('d'), '--checkpoint', 'ck.onnx', '-o', 'out.onnx'], mention: ['7'] };
    }),
    refuse('labels', `eval: a test label ${big} for a 10-class model`, (dir) => {
      npyData(path.join(dir, 'd'), { test: labelsWith(ctx, i32, big) });
      return { args: ['eval', withModel(dir), '--data', 'd'], mention: [String(big)] };
    }),
    refuse('labels', `finetune: a test label ${big} for a 10-class model (checked before training)`, (dir) => {
      npyData(path.join(dir, 'd'), { test: labelsWith(ctx, i32, big) });
      const args = ['finetune', withModel(dir), '--data', 'd', '--epochs', '1', '--checkpoint', 'ck.onnx'];
      return { args: [...args, '-o', 'out.onnx'], mention: [String(big)] };
    }),
    refuse('labels', `finetune: a training label ${big} for a 10-class model`, (dir) => {
      npyData(path.join(dir, 'd'), { train: labelsWith(ctx, i32, big) });
      const args = ['finetune', withModel(dir), '--data', 'd', '--epochs', '1', '--checkpoint', 'ck.onnx'];
      return { args: [...args, '-o', 'out.onnx'], mention: [String(big)] };
    }),
    refuse('labels', `prune --method reap: a calibration label ${big} for a 10-class model`, (dir) => {
      npyData(path.join(dir, 'd'), { train: labelsWith(ctx, i32, big) });
      return {
        args: ['prune', withModel(dir), '-o', 'out.onnx', '--method', 'reap', '--ratio', '0.5', '--data', 'd'],
        mention: [String(big)],
      };
    }),
    refuse('labels', `unify: a test label ${big} for a 10-class model (checked before training)`, (dir) => {
      npyData(path.join(dir, 'd'), { test: labelsWith(ctx, i32, big) });
      const args = ['unify', withModel(dir), '--data', 'd', '--block', '1x4', '--unify', '0.5', '--prune', '0.3'];
      return {
        args: [...args, '--admm-rounds', '40', '--epochs-per-round', '5', '-o', 'out.onnx'],
        mention: [String(big)],
      };
    }),
    refuse('labels', `tedepr: a test label ${big} for a 10-class model (checked before training)`, (dir) => {
      npyData(path.join(dir, 'd'), { test: labelsWith(ctx, i32, big) });
      const args = ['tedepr', withModel(dir), '--data', 'd', '--sparsity', '0.9', '--score', 'synflow', '--dense'];
      return { args: [...args, '--epochs', '400', '-o', 'out.onnx'], mention: [String(big)] };
    }),
    refuse('labels', 'train: the training labels name a single class', (dir) => {
      npyData(path.join(dir, 'd'), { train: new Int32Array(N), test: new Int32Array(N) });
      return { args: [...trainArgs('d'), '-o', 'out.onnx'], mention: ['class'] };
    }),
  ];
}
