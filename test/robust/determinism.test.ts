/**
 * Same command + same --seed ⇒ bit-identical output model, across separate processes (fresh ORT sessions).
 * ORT results depend on the intra-op thread count (GEMM/conv reductions are split per thread), so runs are
 * compared at the same --threads; docs/ROBUSTNESS.md explains.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { idxDataset, pool, runCli, sameBytes, scratch } from './helpers.js';

const dir = scratch();
const f = (n: string) => path.join(dir, n);
// A small synthetic IDX folder: per-epoch evaluation on it is instant (MNIST's 10,000 test images are not).
const data = idxDataset(f('data'), { n: 640 });
const train = (seed: number, out: string, threads = '1') =>
  runCli(
    [
      '--threads',
      threads,
      'train',
      '--arch',
      'mlp',
      '--data',
      data,
      '--epochs',
      '1',
      '--batch',
      '32',
      '--seed',
      String(seed),
      '-o',
      f(out),
    ],
    { timeoutMs: 90_000 },
  );

describe('determinism across processes', () => {
  // Five trainings, at most three processes at a time; the later steps reuse train-a.onnx.
  const trained = pool([
    () => train(3, 'train-a.onnx'),
    () => train(3, 'train-b.onnx'),
    () => train(4, 'train-seed4.onnx'),
    () => train(3, 'train-t2-a.onnx', '2'),
    () => train(3, 'train-t2-b.onnx', '2'),
  ]);
  const ok = (r: { code: number | null; stderr: string }) => assert.equal(r.code, 0, r.stderr);

  test('train: same seed twice gives identical bytes; another seed does not', async () => {
    (await trained).forEach(ok);
    assert.ok(sameBytes(f('train-a.onnx'), f('train-b.onnx')), 'same seed, different models');
    assert.ok(!sameBytes(f('train-a.onnx'), f('train-seed4.onnx')), 'the seed had no effect');
  });

  test('train with --threads 2: repeatable at that thread count', async () => {
    (await trained).forEach(ok);
    assert.ok(sameBytes(f('train-t2-a.onnx'), f('train-t2-b.onnx')));
  });

  const later = trained.then(() =>
    pool(
      [
        ...['a', 'b'].map(
          (k) => () =>
            runCli([
              'prune',
              f('train-a.onnx'),
              '-o',
              f(`prune-${k}.onnx`),
              '--method',
              'random',
              '--ratio',
              '0.5',
              '--seed',
              '7',
            ]),
        ),
        ...['a', 'b'].map(
          (k) => () =>
            runCli(
              [
                'unify',
                f('train-a.onnx'),
                '-o',
                f(`unify-${k}.onnx`),
                '--data',
                data,
                '--limit',
                '256',
                '--batch',
                '32',
                '--seed',
                '5',
                '--mode',
                'admm',
                '--admm-rounds',
                '1',
                '--epochs-per-round',
                '1',
                '--retrain-epochs',
                '1',
                '--block',
                '4x4',
              ],
              { timeoutMs: 90_000 },
            ),
        ),
      ],
      2,
    ),
  );

  test('prune --method random with the same seed: identical bytes', async () => {
    const [a, b] = await later;
    ok(a!);
    ok(b!);
    assert.ok(sameBytes(f('prune-a.onnx'), f('prune-b.onnx')));
    assert.ok(!sameBytes(f('prune-a.onnx'), f('train-a.onnx')), 'pruning changed nothing');
  });

  test('unify (ADMM + retraining) with the same seed: identical bytes', async () => {
    const [, , a, b] = await later;
    ok(a!);
    ok(b!);
    assert.ok(sameBytes(f('unify-a.onnx'), f('unify-b.onnx')));
    assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')).length, 0);
  });
});
