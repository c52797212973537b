/**
 * The output guard: outputs are compared with inputs and each other as files (every way of naming one file is
 * caught), existing files need --force and special files are never replaced, a second process is kept off an
 * output it holds, stale locks and temp files of dead processes are taken over or removed, a file that appears
 * during the write is not clobbered, and signals leave no lock or temp file behind.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ReproError } from '../../src/util/errors.js';
import { writeFileAtomic } from '../../src/util/fs.js';
import { claimedOutputs, claimOutputs, ensureOutputFolder, releaseAllClaims } from '../../src/util/output-guard.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'claim-child.ts');
const TSX = fileURLToPath(import.meta.resolve('tsx'));

const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-guard-'));
  made.push(d);
  return d;
}

/** Every entry of `dir`, hidden ones included. */
const ls = (dir: string) => fs.readdirSync(dir).sort();

function refused(f: () => unknown, re: RegExp): void {
  assert.throws(f, (e) => e instanceof ReproError && re.test(e.message) && !e.message.includes('\n'));
}

/** A child process holding a claim on `out`, once it said so. */
async function holder(out: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', TSX, CHILD, out], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('claimed') && resolve());
    child.on('exit', (code) => reject(new Error(`claim child exited with ${code}`)));
  });
  return child;
}

const exited = (c: ChildProcess) =>
  new Promise<NodeJS.Signals | number | null>((r) => c.on('exit', (code, sig) => r(sig ?? code)));

afterEach(() => releaseAllClaims());

describe('inputs and other outputs, compared as files', () => {
  test('every other name of the input is refused, also with --force', () => {
    const d = scratch();
    const input = path.join(d, 'm.onnx');
    fs.writeFileSync(input, 'model');
    fs.symlinkSync('.', path.join(d, 'alias'));
    fs.linkSync(input, path.join(d, 'hard.onnx'));
    fs.symlinkSync('m.onnx', path.join(d, 'soft.onnx'));
    const names = ['m.onnx', './m.onnx', 'alias/m.onnx', 'alias/alias/m.onnx', 'hard.onnx', 'soft.onnx', 'x/../m.onnx'];
    fs.mkdirSync(path.join(d, 'x'));
    for (const n of names)
      refused(
        () => claimOutputs([{ path: path.join(d, n) }], { inputs: [input], force: true }),
        /same file as the input model .*refusing to overwrite the input/,
      );
    assert.deepEqual(claimedOutputs(), []);
    assert.equal(fs.readFileSync(input, 'utf8'), 'model');
  });

  test('two outputs that are one file are refused; claiming the same output again is a no-op', () => {
    const d = scratch();
    fs.symlinkSync('.', path.join(d, 'alias'));
    claimOutputs([{ path: path.join(d, 'out.onnx'), flag: '-o' }]);
    claimOutputs([{ path: path.join(d, 'alias', 'out.onnx'), flag: '-o' }]);
    refused(
      () => claimOutputs([{ path: path.join(d, 'alias', 'out.onnx'), flag: '--plot' }]),
      /--plot .*: same file as -o .*out\.onnx; give each output its own path/,
    );
    assert.equal(claimedOutputs().length, 1);
  });

  test('a refusal in a multi-output claim leaves nothing claimed or locked', () => {
    const d = scratch();
    fs.writeFileSync(path.join(d, 'b'), 'exists');
    refused(
      () => claimOutputs([{ path: path.join(d, 'a') }, { path: path.join(d, 'b') }]),
      /b: file exists; pass --force/,
    );
    assert.deepEqual(claimedOutputs(), []);
    assert.deepEqual(ls(d), ['b']);
  });
});

describe('what an output may replace', () => {
  test('an existing file only with --force (or a hint of the command); never a folder, pipe or missing folder', () => {
    const d = scratch();
    const f = path.join(d, 'f');
    fs.writeFileSync(f, 'x');
    refused(
      () => claimOutputs([{ path: f, flag: '--checkpoint', existsHint: 'pass --resume f' }]),
      /--checkpoint .*f: file exists; pass --resume f/,
    );
    claimOutputs([{ path: f }], { force: true });
    releaseAllClaims();
    fs.mkdirSync(path.join(d, 'dir'));
    refused(() => claimOutputs([{ path: path.join(d, 'dir') }], { force: true }), /is a directory/);
    execFileSync('mkfifo', [path.join(d, 'pipe')]);
    refused(
      () => claimOutputs([{ path: path.join(d, 'pipe') }], { force: true }),
      /is a named pipe; reprune only writes regular files/,
    );
    refused(() => claimOutputs([{ path: path.join(d, 'no', 'x') }]), /folder .*no does not exist/);
    refused(
      () => claimOutputs([{ path: path.join(d, 'x'), bytes: Number.MAX_SAFE_INTEGER }]),
      /only .* free in .*the output needs about/,
    );
    assert.deepEqual(ls(d), ['dir', 'f', 'pipe']);
  });
});

describe('locks between processes', () => {
  test('an output held by another live process is refused; a dead holder is taken over', async () => {
    const d = scratch();
    const out = path.join(d, 'out.onnx');
    const child = await holder(out);
    try {
      refused(
        () => claimOutputs([{ path: out }]),
        new RegExp(`another reprune process \\(pid ${child.pid}\\) is writing this file`),
      );
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
    // SIGKILL leaves its lock file: the next claim sees a dead pid and takes it over.
    assert.ok(ls(d).includes('.out.onnx.reprune-lock'));
    claimOutputs([{ path: out }]);
    assert.equal(fs.readFileSync(path.join(d, '.out.onnx.reprune-lock'), 'utf8').trim(), String(process.pid));
    releaseAllClaims();
    assert.deepEqual(ls(d), []);
  });

  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    test(`${sig} to a process holding a claim removes its lock, and the signal still ends it`, async () => {
      const d = scratch();
      const child = await holder(path.join(d, 'out.onnx'));
      assert.deepEqual(ls(d), ['.out.onnx.reprune-lock']);
      child.kill(sig);
      assert.equal(await exited(child), sig);
      assert.deepEqual(ls(d), []);
    });
  }

  test('temp files of dead processes are removed when their output is claimed; live ones stay', () => {
    const d = scratch();
    fs.writeFileSync(path.join(d, '.out.onnx.999999999.ab12cd34.tmp'), 'half a model');
    fs.writeFileSync(path.join(d, `.out.onnx.${process.pid}.ffff0000.tmp`), 'ours, still being written');
    fs.writeFileSync(path.join(d, '.other.onnx.999999999.ab12cd34.tmp'), 'not this output');
    claimOutputs([{ path: path.join(d, 'out.onnx') }]);
    releaseAllClaims();
    assert.deepEqual(ls(d), ['.other.onnx.999999999.ab12cd34.tmp', `.out.onnx.${process.pid}.ffff0000.tmp`].sort());
  });
});

describe('writing', () => {
  test('a claimed output is written through a temp file and released; no lock or temp remains', () => {
    const d = scratch();
    const out = path.join(d, 'out.txt');
    claimOutputs([{ path: out }]);
    writeFileAtomic(out, 'done', { force: false });
    assert.deepEqual(ls(d), ['out.txt']);
    assert.equal(fs.readFileSync(out, 'utf8'), 'done');
    assert.deepEqual(claimedOutputs(), []);
  });

  test('a file that appears between the claim and the write is not clobbered', () => {
    const d = scratch();
    const out = path.join(d, 'out.txt');
    claimOutputs([{ path: out }]);
    fs.writeFileSync(out, 'written by someone else meanwhile');
    refused(
      () => writeFileAtomic(out, 'ours'),
      /a file of that name appeared while reprune was writing; nothing replaced/,
    );
    assert.equal(fs.readFileSync(out, 'utf8'), 'written by someone else meanwhile');
    releaseAllClaims();
    assert.deepEqual(ls(d), ['out.txt']);
  });

  test('a kept claim (a checkpoint) replaces its own file on every later write', () => {
    const d = scratch();
    const ck = path.join(d, 'ck.onnx');
    claimOutputs([{ path: ck, flag: '--checkpoint', keep: true }]);
    for (const epoch of ['1', '2', '3']) writeFileAtomic(ck, epoch, { force: true, flag: '--checkpoint' });
    assert.equal(fs.readFileSync(ck, 'utf8'), '3');
    assert.deepEqual(ls(d), ['.ck.onnx.reprune-lock', 'ck.onnx']);
  });

  test('output folders made for a command are removed again when nothing was written into them', () => {
    const d = scratch();
    ensureOutputFolder(path.join(d, 'a', 'b'), '--out a/b');
    ensureOutputFolder(path.join(d, 'c'), '--out c');
    fs.writeFileSync(path.join(d, 'c', 'result.md'), 'kept');
    releaseAllClaims();
    assert.deepEqual(ls(d), ['c']);
  });
});
