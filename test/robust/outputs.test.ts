/**
 * Never lose work: every command that writes refuses to overwrite its input and (without --force) an existing
 * output, BEFORE any long work — the cases pass a bogus --data, so a command that checked the output late would
 * complain about the data instead. Each refusal: exit 2, one `error:` line naming the flag/file, nothing written,
 * no temp file left, the existing files byte-identical.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import {
  assertCleanError,
  assertNoTempFiles,
  pool,
  runCli,
  runInProcess,
  scratch,
  zooFile,
  type CliResult,
} from './helpers.js';

interface Case {
  name: string;
  args: string[];
  /** Strings the one-line message must contain. */
  names: string[];
  what: RegExp;
}

describe('never lose work: refusals happen first and leave nothing behind', () => {
  const dir = scratch();
  const model = zooFile(dir, 'mlp', 'm.onnx');
  const exists = path.join(dir, 'exists.onnx');
  fs.writeFileSync(exists, 'an earlier result that must survive');
  const link = path.join(dir, 'link.onnx');
  fs.linkSync(model, link); // another name for the input model
  const results = path.join(dir, 'r.json');
  fs.writeFileSync(results, '{}');
  const demoDir = path.join(dir, 'demo');
  fs.mkdirSync(demoDir);
  fs.writeFileSync(path.join(demoDir, 'report.json'), '{"earlier": true}');
  const p = (f: string) => path.join(dir, f);
  const bogus = ['--data', p('no-such-data')];
  const train = ['--epochs', '1', ...bogus];

  const cases: Case[] = [
    {
      name: 'train: existing output',
      args: ['train', '--arch', 'mlp', ...train, '-o', exists],
      names: ['-o', exists],
      what: /exists.*--force/,
    },
    {
      name: 'train: checkpoint = output',
      args: ['train', '--arch', 'mlp', ...train, '--checkpoint', p('new.onnx'), '-o', p('new.onnx')],
      names: ['--checkpoint'],
      what: /same file as -o/,
    },
    {
      name: 'train: existing checkpoint',
      args: ['train', '--arch', 'mlp', ...train, '--checkpoint', exists, '-o', p('new.onnx')],
      names: ['--checkpoint', exists],
      what: /--resume|--force/,
    },
    {
      name: 'finetune: output = input',
      args: ['finetune', model, ...train, '-o', model],
      names: ['-o', model],
      what: /input/,
    },
    {
      name: 'finetune: existing output',
      args: ['finetune', model, ...train, '-o', exists],
      names: ['-o', exists],
      what: /--force/,
    },
    {
      name: 'finetune: checkpoint = input',
      args: ['finetune', model, ...train, '--checkpoint', model, '-o', p('new.onnx')],
      names: ['--checkpoint', model],
      what: /input/,
    },
    {
      name: 'prune: output = input',
      args: ['prune', model, '-o', model, '--method', 'l1', '--ratio', '0.5'],
      names: ['-o', model],
      what: /input/,
    },
    {
      name: 'prune: output is a hard link to the input, even with --force',
      args: ['prune', model, '-o', link, '--method', 'l1', '--ratio', '0.5', '--force'],
      names: [link],
      what: /input/,
    },
    {
      name: 'prune: existing output',
      args: ['prune', model, '-o', exists, '--method', 'l1', '--ratio', '0.5'],
      names: [exists],
      what: /--force/,
    },
    {
      name: 'prune: missing folder',
      args: ['prune', model, '-o', p('nowhere/x.onnx'), '--method', 'l1', '--ratio', '0.5'],
      names: [p('nowhere')],
      what: /does not exist/,
    },
    {
      name: 'reparam: output = input with --force',
      args: ['reparam', model, '-o', model, '--transform', 'srn', '--force'],
      names: [model],
      what: /input/,
    },
    {
      name: 'reparam: existing output',
      args: ['reparam', model, '-o', exists, '--transform', 'srn'],
      names: [exists],
      what: /--force/,
    },
    { name: 'unify: output = input', args: ['unify', model, ...bogus, '-o', model], names: [model], what: /input/ },
    {
      name: 'unify: existing output',
      args: ['unify', model, ...bogus, '-o', exists],
      names: [exists],
      what: /--force/,
    },
    {
      name: 'tedepr: existing output',
      args: ['tedepr', '--arch', 'mlp', ...train, '--sparsity', '0.9', '--score', 'magnitude', '-o', exists],
      names: [exists],
      what: /--force/,
    },
    {
      name: 'export-zoo: existing output',
      args: ['export-zoo', 'mlp', '-o', exists],
      names: [exists],
      what: /--force/,
    },
    {
      name: 'report: output = input',
      args: ['report', results, '-o', results, '--force'],
      names: [results],
      what: /input/,
    },
    { name: 'report: existing output', args: ['report', results, '-o', exists], names: [exists], what: /--force/ },
    {
      name: 'demo: folder holds an earlier report',
      args: ['demo', '--quick', '-o', demoDir],
      names: [demoDir, 'report.json'],
      what: /--force/,
    },
    { name: 'demo: output is a file', args: ['demo', '--quick', '-o', exists], names: [exists], what: /not a folder/ },
    {
      name: 'prune: --plot would replace the input model',
      args: ['prune', model, '-o', p('new.onnx'), '--method', 'tile', '--plot', model],
      names: ['--plot', model],
      what: /input model/,
    },
  ];

  const before = new Map(
    fs.readdirSync(dir).map((f) => [f, fs.statSync(p(f)).isFile() ? fs.readFileSync(p(f)) : undefined]),
  );
  // A few cases go through the real executable (`node bin/reprune.js`); the rest call the same main() in-process.
  const viaBin = new Set([0, 3, 6]);
  const runs = (async () => {
    const spawned = pool(cases.map((c, i) => () => (viaBin.has(i) ? runCli(c.args) : Promise.resolve(undefined))));
    const inProcess: Array<CliResult | undefined> = [];
    for (const [i, c] of cases.entries()) inProcess.push(viaBin.has(i) ? undefined : await runInProcess(c.args));
    return (await spawned).map((r, i) => r ?? inProcess[i]!);
  })();

  cases.forEach((c, i) => {
    test(c.name, async () => {
      const r = (await runs)[i]!;
      assertCleanError(r, c.names, c.what);
    });
  });

  test('nothing was written, replaced or left half-written', async () => {
    await runs;
    assertNoTempFiles(dir);
    assertNoTempFiles(demoDir);
    assert.deepEqual(fs.readdirSync(dir).sort(), [...before.keys()].sort(), 'no new files');
    for (const [f, bytes] of before)
      if (bytes) assert.ok(Buffer.compare(fs.readFileSync(p(f)), bytes) === 0, `${f} changed`);
    assert.deepEqual(fs.readdirSync(demoDir), ['report.json']);
  });
});

describe('--force replaces an output atomically', () => {
  test('export-zoo --force over an existing file: new model, no temp file', async () => {
    const dir = scratch();
    const out = path.join(dir, 'zoo.onnx');
    fs.writeFileSync(out, 'old');
    const r = await runCli(['export-zoo', 'mlp', '-o', out, '--force']);
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(fs.readFileSync(out, 'utf8').slice(0, 3), 'old');
    assert.ok(fs.statSync(out).size > 100_000);
    assert.deepEqual(fs.readdirSync(dir), ['zoo.onnx']);
  });
});
