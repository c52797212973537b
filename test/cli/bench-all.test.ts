/** `reprune bench all`: runs the benches in order, records each finished one, --resume / --only / --skip / --list. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRecord, recordPath } from '../../src/bench/all-plan.js';
import { allFlags, type BenchEntry, runAll } from '../../src/cli/commands/bench.js';
import { runCli } from './helpers.js';

/** Three fake benches that log their runs and write `<out>/<name>.md`; `bad` fails while `failing` holds it. */
function fakeRegistry(ran: string[], failing: Set<string>): Map<string, BenchEntry> {
  const entry = (name: string): BenchEntry => ({
    summary: name,
    load: async () => async (args) => {
      ran.push(`${name} ${args.join(' ')}`);
      if (failing.has(name)) throw new Error(`${name} broke`);
      const out = args[args.indexOf('--out') + 1]!;
      fs.writeFileSync(path.join(out, `${name}.md`), `# ${name} table\n`);
    },
  });
  return new Map(['first', 'bad', 'last', 'all'].map((n) => [n, entry(n)]));
}

const tmpOut = () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-all-'));
  const out = path.join(root, 'bench');
  fs.mkdirSync(out);
  return { root, out };
};

test('bench all: every bench once in order, a record per finished one, a failure named, the page assembled', async () => {
  const { root, out } = tmpOut();
  const ran: string[] = [];
  const reg = fakeRegistry(ran, new Set(['bad']));
  await assert.rejects(runAll(['--quick', '--out', out], reg), /1 bench\(es\) failed: bad: bad broke/);
  assert.deepEqual(
    ran,
    ['first', 'bad', 'last'].map((n) => `${n} --quick --out ${out}`),
  );
  assert.deepEqual(readRecord(out, 'first')?.args, ['--quick', '--out', out]);
  assert.equal(readRecord(out, 'bad'), undefined, 'a failed bench leaves no record');
  const page = fs.readFileSync(path.join(root, 'BENCHMARKS.md'), 'utf8');
  assert.match(page, /## first table[\s\S]*## last table/);
  assert.match(page, /## bad\n\nNot run yet/);
});

test('bench all --resume: skips benches finished with the same arguments, runs the rest and changed ones', async () => {
  const { out } = tmpOut();
  const ran: string[] = [];
  const failing = new Set(['bad']);
  const reg = fakeRegistry(ran, failing);
  await assert.rejects(runAll(['--out', out], reg));
  failing.clear();
  ran.length = 0;
  await runAll(['--resume', '--out', out], reg);
  assert.deepEqual(ran, [`bad --out ${out}`], 'only the bench without a record');
  ran.length = 0;
  await runAll(['--resume', '--out', out, '--quick'], reg);
  assert.equal(ran.length, 3, 'other arguments: every bench runs again');
  ran.length = 0;
  fs.writeFileSync(recordPath(out, 'first'), JSON.stringify({ bench: 'first', args: ['--quick', '--out', out] }));
  fs.writeFileSync(recordPath(out, 'last'), '{ not json');
  await runAll(['--resume', '--quick', '--out', out], reg);
  assert.deepEqual(
    ran.map((r) => r.split(' ')[0]),
    ['first', 'last'],
    'a record with fields missing, or unreadable, counts as not finished',
  );
});

test('bench all --only / --skip / --list pick benches by name; unknown names list the benches', async () => {
  const { out } = tmpOut();
  const ran: string[] = [];
  const reg = fakeRegistry(ran, new Set());
  await runAll(['--only', 'last,first', '--out', out], reg);
  assert.deepEqual(
    ran.map((r) => r.split(' ')[0]),
    ['first', 'last'],
    'registry order, not --only order',
  );
  ran.length = 0;
  await runAll(['--skip', 'bad', '--out', out], reg);
  assert.deepEqual(
    ran.map((r) => r.split(' ')[0]),
    ['first', 'last'],
  );
  ran.length = 0;
  await runAll(['--list', '--out', out], reg);
  assert.deepEqual(ran, [], '--list runs nothing');
  await assert.rejects(
    runAll(['--only', 'lop', '--out', out], reg),
    /--only: 'lop' is not a bench; available: first, bad, last/,
  );
  assert.throws(() => allFlags(['--only']), /--only: give a value/);
  assert.deepEqual(allFlags(['--epochs', '1', '--resume']).args, ['--epochs', '1', '--out', 'docs/bench']);
});

test('reprune bench all --list: the real suite’s plan, nothing run', async () => {
  const { out } = tmpOut();
  const r = await runCli(['bench', 'all', '--list', '--resume', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /bench all: \d+ of \d+ bench\(es\) to run/);
  for (const name of ['baselines', 'tedepr', 'lop', 'scale'])
    assert.match(r.stderr, new RegExp(`run +${name} +no finished run`));
  assert.deepEqual(fs.readdirSync(out), []);
});
