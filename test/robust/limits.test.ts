/**
 * --max-memory: models and datasets that would need more memory than the limit fail before they are read
 * (sparse files of absurd size prove nothing is read), with one line naming the file and the limit.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { writeIdx } from '../../src/data/idx.js';
import { defaultMemoryLimitMB, memoryLimitMB } from '../../src/util/limits.js';
import { addModel, encodeProto, EXTERNAL, FLOAT } from '../onnx/protos.js';
import { assertCleanError, idxDataset, runCli, runInProcess, scratch, zooFile } from './helpers.js';

const LIMIT = /too large for --max-memory \d+ MB/;

describe('--max-memory: models', () => {
  const dir = scratch();
  const f = (n: string) => path.join(dir, n);
  const mlp = zooFile(dir); // 1.07 MB

  test('a 1 TB (sparse) model file is refused by size without reading it, at the default limit', async (t) => {
    const big = f('huge.onnx');
    try {
      fs.closeSync(fs.openSync(big, 'w'));
      fs.truncateSync(big, 2 ** 40);
    } catch (e) {
      t.skip(`this filesystem cannot hold a sparse 1 TB file (${(e as NodeJS.ErrnoException).code})`);
      return;
    }
    const r = await runCli(['info', big]);
    assertCleanError(r, [big, `--max-memory ${defaultMemoryLimitMB()} MB`], /file size 1024\.0 GB/);
    fs.rmSync(big);
  });

  test('a real model above a tiny limit', async () => {
    assertCleanError(
      await runInProcess(['--max-memory', '1', 'eval', mlp, '--data', 'mnist']),
      [mlp, '--max-memory 1 MB'],
      /file size 1\.0 MB/,
    );
  });

  test('a small header declaring a 256 MB external initializer fails before reading the data', async () => {
    fs.writeFileSync(f('w.bin'), new Uint8Array(16));
    const m = addModel({
      name: 'w',
      dataType: FLOAT,
      dims: [8192, 8192],
      dataLocation: EXTERNAL,
      externalData: [{ key: 'location', value: 'w.bin' }],
    });
    const file = f('declared.onnx');
    fs.writeFileSync(file, encodeProto(m));
    assert.ok(fs.statSync(file).size < 1024);
    assertCleanError(
      await runInProcess(['--max-memory', '64', 'info', file]),
      [file, '--max-memory 64 MB'],
      /initializers declare 256\.0 MB: too large/,
    );
    // Within the limit, the loader goes on and finds the real problem (the .bin is 16 bytes).
    assertCleanError(await runInProcess(['--max-memory', '512', 'info', file]), [file, 'w.bin'], /holds 16 bytes/);
  });

  test('declared 2^40 elements without data: refused at the default limit', async () => {
    const file = f('absurd.onnx');
    fs.writeFileSync(
      file,
      encodeProto(addModel({ name: 'w', dataType: FLOAT, dims: [2 ** 20, 2 ** 20], rawData: new Uint8Array(4) })),
    );
    assertCleanError(await runInProcess(['info', file]), [file], /initializers declare 4096\.0 GB: too large/);
  });

  test('the flag is validated and the default restored for the next command', async () => {
    assertCleanError(await runInProcess(['--max-memory', '0', 'info', mlp]), ['--max-memory 0']);
    assert.equal((await runInProcess(['--max-memory', '4', 'info', mlp])).code, 0);
    assert.equal((await runInProcess(['info', mlp])).code, 0);
    assert.equal(memoryLimitMB(), defaultMemoryLimitMB());
  });
});

describe('--max-memory: datasets', () => {
  const dir = scratch();
  const mlp = zooFile(dir);
  const imagesOf = (d: string, gz = false) => path.join(d, `train-images-idx3-ubyte${gz ? '.gz' : ''}`);

  test('an images file larger than the limit is refused by size', async () => {
    const d = idxDataset(path.join(dir, 'big'), { n: 3000 }); // 2.35 MB of uint8
    assertCleanError(
      await runInProcess(['--max-memory', '2', 'eval', mlp, '--data', d, '--split', 'train']),
      [imagesOf(d), '--max-memory 2 MB'],
      /file size/,
    );
  });

  test('a small .gz that inflates beyond the limit stops at the limit', async () => {
    const d = path.join(dir, 'bomb');
    idxDataset(d, { n: 16 });
    const raw = path.join(dir, 'raw.idx');
    writeIdx(raw, new Uint8Array(3000 * 784), [3000, 28, 28]);
    fs.writeFileSync(imagesOf(d, true), gzipSync(fs.readFileSync(raw)));
    fs.rmSync(imagesOf(d));
    assert.ok(fs.statSync(imagesOf(d, true)).size < 10_000);
    assertCleanError(
      await runInProcess(['--max-memory', '2', 'eval', mlp, '--data', d, '--split', 'train']),
      [imagesOf(d, true), '--max-memory 2 MB'],
      /decompresses to more than 2\.0 MB/,
    );
  });

  test('uint8 images whose float32 copy exceeds the limit', async () => {
    const d = idxDataset(path.join(dir, 'mid'), { n: 1000 }); // 784 kB on disk, 3.1 MB as float32
    assertCleanError(
      await runInProcess(['--max-memory', '2', 'eval', mlp, '--data', d, '--split', 'train']),
      [imagesOf(d), '--max-memory 2 MB'],
      /images as float32 take 3\.0 MB/,
    );
    assert.match(
      (await runInProcess(['--max-memory', '8', 'eval', mlp, '--data', d, '--split', 'train', '--json'])).stdout,
      /"samples":1000/,
    );
  });
});

test('messages say how to fix it', async () => {
  const dir = scratch();
  const r = await runInProcess(['--max-memory', '1', 'info', zooFile(dir)]);
  assert.match(r.stderr, LIMIT);
  assert.match(r.stderr, /raise --max-memory/);
});
