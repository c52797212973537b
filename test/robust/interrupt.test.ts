/**
 * Interrupted runs lose nothing: Ctrl-C (SIGINT) during `reprune train --checkpoint` saves a checkpoint after the
 * current step and exits 130; `--resume` then ends with the same model bytes as a run that was never interrupted.
 * A diverging run (NaN loss) stops with a message naming the last good checkpoint and leaves it untouched.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { CLI, ROOT } from '../cli/helpers.js';
import { assertCleanError, assertNoTempFiles, runCli, sameBytes, scratch, type CliResult } from './helpers.js';

const TRAIN = ['train', '--arch', 'mlp', '--data', 'mnist', '--limit', '2000', '--epochs', '3', '--batch', '32'];

/** Start `reprune train ... --checkpoint ck`, send SIGINT as soon as the first checkpoint exists, collect the result. */
function runAndInterrupt(args: string[], ck: string): Promise<CliResult & { signalled: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, '--threads', '1', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const poll = setInterval(() => {
      if (!signalled && fs.existsSync(ck)) {
        signalled = true;
        child.kill('SIGINT');
      }
    }, 10);
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, stdout, stderr, signalled });
    });
  });
}

describe('SIGINT during training, then --resume', () => {
  const dir = scratch();
  const f = (n: string) => path.join(dir, n);
  const ck = f('ck.onnx');
  // The uninterrupted reference runs alongside the interrupted run.
  const reference = runCli([...TRAIN, '-o', f('ref.onnx')], { timeoutMs: 90_000 });
  const interrupted = runAndInterrupt([...TRAIN, '--checkpoint', ck, '-o', f('out.onnx')], ck);

  test('Ctrl-C saves a checkpoint after the current step and exits 130 with a clear message', async () => {
    const r = await interrupted;
    assert.ok(r.signalled, 'the checkpoint never appeared');
    assert.equal(r.code, 130, `expected exit 130, got ${r.code}:\n${r.stderr}`);
    const last = r.stderr.trim().split('\n').at(-1)!;
    assert.match(last, /^interrupted (in|after) epoch \d\/3/);
    assert.ok(last.includes(`--resume ${ck}`), last);
    assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
    assert.ok(!fs.existsSync(f('out.onnx')), 'no output written by the interrupted run');
    assert.ok(!fs.existsSync(`${ck}.train.json`), 'a checkpoint is one file');
    assertNoTempFiles(dir);
  });

  test('a diverging resume (--lr 1e6) names the last good checkpoint and keeps it', async () => {
    await interrupted;
    // A copy, so the resume test below still starts from the original.
    const ck2 = f('ck2.onnx');
    fs.copyFileSync(ck, ck2);
    const before = fs.readFileSync(ck2);
    const r = await runCli([...TRAIN, '--lr', '1e6', '--resume', ck2, '--checkpoint', ck2, '-o', f('diverged.onnx')], {
      timeoutMs: 90_000,
    });
    assertCleanError(
      r,
      [ck2],
      /training diverged: loss is (NaN|Infinity|-Infinity) at epoch \d, step \d+.*last good checkpoint is/,
    );
    assert.ok(Buffer.compare(fs.readFileSync(ck2), before) === 0, 'the last good checkpoint was modified');
    assert.ok(!fs.existsSync(f('diverged.onnx')));
  });

  test('--resume finishes with the same model bytes as the uninterrupted run', async () => {
    await interrupted;
    const [ref, resumed] = await Promise.all([
      reference,
      runCli([...TRAIN, '--resume', ck, '--checkpoint', ck, '-o', f('out.onnx')], { timeoutMs: 90_000 }),
    ]);
    assert.equal(ref.code, 0, ref.stderr);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok(sameBytes(f('out.onnx'), f('ref.onnx')), 'resumed model differs from the uninterrupted one');
    assertNoTempFiles(dir);
  });
});

describe('divergence in a fresh run', () => {
  test('NaN loss before any checkpoint: clear message, exit 2, nothing written', async () => {
    const dir = scratch();
    const ck = path.join(dir, 'ck.onnx');
    const r = await runCli([...TRAIN, '--lr', '1e6', '--checkpoint', ck, '-o', path.join(dir, 'out.onnx')], {
      timeoutMs: 90_000,
    });
    assertCleanError(r, ['--lr'], /training diverged: .*epoch 1, step \d+.*no checkpoint was saved yet/);
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
