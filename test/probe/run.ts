/**
 * The probe suite (issue 21): hostile and careless uses of the CLI, built here from a seed, each run as a real
 * child process in its own folder under a watchdog. Prints one line per failing case and a table per class;
 * exit code 1 when any case fails.
 *
 *   node --import tsx test/probe/run.ts [--only paths,flags] [--grep text] [--jobs 2] [--json report.json]
 *
 * REPRUNE_PROBE_SEED changes the seed (default 21); REPRUNE_PROBE_CLI=dist tests the built `bin/reprune.js` instead
 * of the sources (faster; CI does that after its build). CI runs it from `.ci/run`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { SeededRng } from '../../src/util/random.js';
import { checkpointCases } from './cases-checkpoints.js';
import { flagCases } from './cases-flags.js';
import { labelCases } from './cases-labels.js';
import { lateCases } from './cases-late.js';
import { pathCases } from './cases-paths.js';
import { specialCases } from './cases-special.js';
import { terminalCases } from './cases-terminal.js';
import { idxData, model, trainedCheckpoint } from './fixtures.js';
import { diffSnapshots, snapshot } from './harness.js';
import { CLASSES, type Ctx, type ProbeCase, type ProbeClass, type Shared, type Verdict } from './types.js';

const SEED = Number(process.env.REPRUNE_PROBE_SEED ?? 21);

/** Files every case reads: a model, a dataset, checkpoints and a reference output from real runs. */
async function buildShared(root: string): Promise<Shared> {
  const dir = path.join(root, 'shared');
  fs.mkdirSync(dir, { recursive: true });
  const data = idxData(path.join(dir, 'data'));
  const results = path.join(dir, 'results.json');
  const row = { method: 'dense', label: 'dense', accuracy: 0.9, params: 10, nonzeros: 10, macs: 10, bytes: 40 };
  fs.writeFileSync(results, JSON.stringify({ version: 1, baseline: row, methods: [{ ...row, method: 'tile' }] }));
  const ckData = idxData(path.join(dir, 'ck-data'), { n: 512 });
  const ck1 = await trainedCheckpoint(path.join(dir, 'ck1'), ckData, 1, 'out.onnx');
  const ref3 = await trainedCheckpoint(path.join(dir, 'ref3'), ckData, 3, 'out.onnx');
  return {
    model: model(dir, 'm.onnx'),
    data,
    ckData,
    ck1: ck1.ck,
    ref3: path.join(dir, 'ref3', 'out.onnx'),
    ref3Ms: ref3.ms,
    results,
  };
}

export function allCases(ctx: Ctx): ProbeCase[] {
  // Each class draws from its own stream, so adding a case to one class does not reshuffle the others.
  const sub = (): Ctx => ({ ...ctx, rng: ctx.rng.fork() });
  return [
    ...pathCases(sub()),
    ...checkpointCases(sub()),
    ...specialCases(sub()),
    ...terminalCases(sub()),
    ...labelCases(sub()),
    ...flagCases(sub()),
    ...lateCases(sub()),
  ];
}

interface Outcome extends Verdict {
  cls: ProbeClass;
  name: string;
  ms: number;
}

async function runOne(c: ProbeCase, dir: string): Promise<Outcome> {
  fs.mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  let v: Verdict;
  try {
    v = await c.run(dir);
  } catch (e) {
    v = { problems: [`the case itself failed: ${(e as Error).stack ?? e}`] };
  }
  return { ...v, cls: c.cls, name: c.name, ms: performance.now() - t0 };
}

async function pool(cases: ProbeCase[], root: string, jobs: number, log: (o: Outcome, i: number) => void) {
  const out: Outcome[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      out[i] = await runOne(cases[i]!, path.join(root, 'cases', String(i).padStart(3, '0')));
      log(out[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return out;
}

function table(outcomes: Outcome[]): string {
  const rows = (Object.keys(CLASSES) as ProbeClass[]).map((cls) => {
    const mine = outcomes.filter((o) => o.cls === cls);
    const failed = mine.filter((o) => o.problems.length).length;
    const skipped = mine.filter((o) => o.skipped).length;
    return `| ${CLASSES[cls]} | ${mine.length} | ${mine.length - failed - skipped} | ${failed} | ${skipped} |`;
  });
  return ['| class | cases | passed | failed | skipped |', '|---|---|---|---|---|', ...rows].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, grep: { type: 'string' }, jobs: { type: 'string' }, json: { type: 'string' } },
  });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-probe-'));
  const t0 = performance.now();
  const shared = await buildShared(root);
  const sharedBefore = snapshot(path.join(root, 'shared'));
  let cases = allCases({ shared, rng: new SeededRng(SEED) });
  if (values.only) cases = cases.filter((c) => values.only!.split(',').includes(c.cls));
  if (values.grep) cases = cases.filter((c) => c.name.includes(values.grep!));
  const jobs = Number(values.jobs ?? 2);
  const cli = process.env.REPRUNE_PROBE_CLI === 'dist' ? 'bin/reprune.js' : 'the sources';
  process.stderr.write(`probe: ${cases.length} cases, seed ${SEED}, ${jobs} at a time, ${cli}, in ${root}\n`);
  const outcomes = await pool(cases, root, jobs, (o, i) => {
    const mark = o.skipped ? 'skip' : o.problems.length ? 'FAIL' : 'ok  ';
    process.stderr.write(`${mark} ${String(i).padStart(3)} [${o.cls}] ${o.name} (${(o.ms / 1000).toFixed(1)} s)\n`);
    if (o.problems.length) for (const p of o.problems) process.stderr.write(`       ${p.replace(/\n/g, '\\n')}\n`);
  });
  const sharedChanged = diffSnapshots(sharedBefore, snapshot(path.join(root, 'shared')));
  if (sharedChanged.length)
    outcomes.push({ cls: 'paths', name: 'shared fixtures unchanged', problems: sharedChanged, ms: 0 });
  const failed = outcomes.filter((o) => o.problems.length);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `${table(outcomes)}\n\n${outcomes.length} cases, ${failed.length} failed, ${seconds.toFixed(0)} s\n`,
  );
  if (values.json) fs.writeFileSync(values.json, `${JSON.stringify({ seed: SEED, seconds, outcomes }, null, 1)}\n`);
  if (!failed.length) fs.rmSync(root, { recursive: true, force: true });
  else process.stderr.write(`probe: kept ${root} for inspection\n`);
  return failed.length ? 1 : 0;
}

process.exitCode = await main();
