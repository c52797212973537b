/**
 * `reprune bench scale`: compression at real size. Models of growing size — ResNet-18, ResNet-50 and VGG-16 from
 * torchvision (skipped with the reason where PyTorch is absent) and a ViT-B-sized MatMul stack built here — and
 * for each, every pass run as the real CLI command in its own child process: wall time and peak RSS (read by a
 * preloaded probe, bench/scale-probe.ts), next to the time ONNX Runtime takes to load and run the model once, plus
 * the fitted exponent of time vs parameters per pass (least squares on log-log; 1 = linear). Writes
 * `<out>/scale.md` and `scale.json`. `--quick` uses tiny models (a smoke test of the table, not a measurement).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { loadOnnx } from '../onnx/decode.js';
import { externalDataPath } from '../onnx/external.js';
import { ReproError } from '../util/errors.js';
import { machineDescription } from './benchmarks-doc.js';
import { writeRandomCalibration } from './scale-data.js';
import {
  FULL_MODELS,
  modelBytes,
  ortLoadAndRun,
  prepareModels,
  QUICK_MODELS,
  type ScaleModel,
} from './scale-models.js';
import { fittedExponent, type PassRun, type ScaleResults, scaleMarkdown } from './scale-report.js';

export { fittedExponent, type PassRun, type ScaleResults, scaleMarkdown } from './scale-report.js';

interface ScaleFlags {
  models?: string;
  passes?: string;
  out: string;
  timeout: string;
  quick?: boolean;
  json?: boolean;
  cli?: string;
}

/**
 * Each pass as CLI arguments (model, output, calibration folder); `unify` runs the projection script instead of the
 * CLI. reap-pro (issue 17's 15-minute target: 2,000 samples at the model's input size, PRO to half the MACs, at the
 * PRO settings docs/bench/scale-reap-pro.md measured) runs only when named in --passes: minutes per model.
 */
const PASSES: Record<string, (m: string, o: string, data: string) => string[]> = {
  info: (m) => ['info', m],
  'fold-bn': (m, o) => ['reparam', m, '--transform', 'fold-bn', '-o', o],
  srn: (m, o) => ['reparam', m, '--transform', 'srn', '-o', o],
  tiletrans: (m, o) => ['reparam', m, '--transform', 'tiletrans', '-o', o],
  'tiletrans-search': (m, o) => ['reparam', m, '--transform', 'tiletrans', '--mode', 'search', '-o', o],
  l1: (m, o) => ['prune', m, '--method', 'l1', '--ratio', '0.3', '-o', o],
  l2: (m, o) => ['prune', m, '--method', 'l2', '--ratio', '0.3', '-o', o],
  tile: (m, o) => ['prune', m, '--method', 'tile', '--sparsity', '0.5', '-o', o],
  'tile+tiletrans': (m, o) => ['prune', m, '--method', 'tile', '--tiletrans', '--sparsity', '0.5', '-o', o],
  'lop-expand': (m, o) => ['reparam', m, '--transform', 'lop-expand', '-o', o],
  'lop-merge': (m, o) => ['reparam', m, '--transform', 'lop-merge', '-o', o],
  unify: (m) => [m],
  'reap-pro': (m, o, data) => [
    'prune',
    m,
    ...['--method', 'reap', '--pro', '--budget-macs', '0.5', '--pro-step', '0.1', '--pro-samples', '32'],
    ...['--data', data, '--calib', String(CALIB_SAMPLES), '-o', o],
  ],
  // Issue 17's other PRO target (< 60 s on ResNet-50): L1 needs no calibration, only PRO's scoring samples.
  'l1-pro': (m, o, data) => [
    'prune',
    m,
    ...['--method', 'l1', '--pro', '--budget-macs', '0.5', '--pro-step', '0.1', '--pro-samples', '32'],
    ...['--data', data, '-o', o],
  ],
};
const OPT_IN = new Set(['reap-pro', 'l1-pro']);
/** Passes that read the random calibration folder. */
const NEEDS_DATA = new Set(['reap-pro', 'l1-pro']);
const CALIB_SAMPLES = 2000;

function parseFlags(args: string[]): ScaleFlags {
  return new Command('reprune bench scale')
    .option('--models <list>', `comma-separated: ${FULL_MODELS.join(', ')} (default all; --quick: tiny ones)`)
    .option(
      '--passes <list>',
      `comma-separated: ${Object.keys(PASSES).join(', ')} (default all but ${[...OPT_IN].join(', ')})`,
    )
    .option('--timeout <s>', 'give up on one pass after this many seconds', '600')
    .option('--out <dir>', 'where to write scale.md/json', 'docs/bench')
    .option('--quick', 'a smoke run on tiny models (checks the table, measures nothing useful)')
    .option('--json', 'print JSON instead of Markdown')
    .option(
      '--cli <file>',
      "run the passes with this reprune CLI entry (e.g. an older checkout's bin/reprune.js) for a before/after table; unify (this checkout's projection script) is skipped",
    )
    .exitOverride()
    .parse(args, { from: 'user' })
    .opts<ScaleFlags>();
}

function listFlag(value: string | undefined, all: string[], flag: string): string[] {
  if (!value) return all;
  const list = value.split(',').map((s) => s.trim());
  for (const x of list)
    if (!all.includes(x)) throw new ReproError(`${flag} ${x}: unknown; choose from ${all.join(', ')}`);
  return list;
}

/**
 * node arguments that run the CLI (or the unify script) with the probe preloaded, from source or from dist; `cli`
 * (--cli) replaces this checkout's CLI entry.
 */
function childArgs(pass: string, args: string[], cli?: string): string[] {
  const fromSource = import.meta.url.endsWith('.ts');
  const ext = fromSource ? 'ts' : 'js';
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  const entry = pass === 'unify' ? here(`./scale-unify.${ext}`) : (cli ?? here(`../cli/run.${ext}`));
  const probe = pathToFileURL(here(`./scale-probe.${ext}`)).href;
  const tsx = fromSource || entry.endsWith('.ts');
  return [...(tsx ? ['--import', 'tsx'] : []), '--import', probe, entry, ...args];
}

/** Run one pass in a child process: wall time from here, peak RSS from the probe. */
function runPass(m: ScaleModel, pass: string, input: string, output: string, o: RunOptions): PassRun {
  const data = calibrationDir(m, path.dirname(output));
  const probe = path.join(path.dirname(output), `probe-${process.pid}.json`);
  rmSync(probe, { force: true });
  const t0 = process.hrtime.bigint();
  const timeoutS = o.timeoutS;
  const r = spawnSync(process.execPath, childArgs(pass, PASSES[pass]!(input, output, data), o.cli), {
    env: { ...process.env, REPRUNE_SCALE_PROBE: probe },
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    // SIGKILL: a pass busy in synchronous work never gets to run the SIGTERM handler of its output guard, so a plain
    // timeout waited for it to finish (an old LOP expand ran 7 min past a 240 s timeout).
    killSignal: 'SIGKILL',
    maxBuffer: 256 << 20,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const base = { model: m.name, params: m.params, pass };
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT')
    return { ...base, status: 'timeout', note: `over ${timeoutS} s` };
  const usage = existsSync(probe) ? (JSON.parse(readFileSync(probe, 'utf8')) as { maxRssKB: number }) : undefined;
  const maxRssMB = usage ? usage.maxRssKB / 1024 : undefined;
  // Against the model the pass reads (lop-merge reads the expanded model, not the original).
  const inputBytes = input === m.file ? m.bytes : modelBytes(input);
  const rssOverModel = maxRssMB !== undefined ? (maxRssMB * 2 ** 20) / inputBytes : undefined;
  if (r.status !== 0) {
    const note = (r.stderr || '').trim().split('\n').pop()?.slice(0, 200) ?? `exit ${r.status}`;
    return { ...base, seconds, maxRssMB, status: 'failed', note };
  }
  return { ...base, seconds, maxRssMB, rssOverModel, status: 'ok' };
}

interface RunOptions {
  timeoutS: number;
  /** --cli: another checkout's CLI entry. */
  cli?: string;
}

/** Why `pass` does not run on `m` (or undefined): a missing input, no calibration data, unify under --cli. */
function skipReason(m: ScaleModel, pass: string, work: string, expanded: string, o: RunOptions): string | undefined {
  if (pass === 'lop-merge' && !existsSync(expanded)) return 'needs lop-expand’s output';
  if (pass === 'unify' && o.cli) return "the projection script is this checkout's, not --cli's";
  return NEEDS_DATA.has(pass) ? calibrationFor(m, work) : undefined;
}

/** Every pass on one model; lop-merge merges lop-expand's output (kept until then). */
function runModel(m: ScaleModel, passes: string[], work: string, o: RunOptions, log: (s: string) => void): PassRun[] {
  const runs: PassRun[] = [];
  const expanded = path.join(work, `${m.name}.lop.onnx`);
  for (const pass of passes) {
    const out = pass === 'lop-expand' ? expanded : path.join(work, `${m.name}.${pass}.onnx`);
    const skip = skipReason(m, pass, work, expanded, o);
    const run: PassRun = skip
      ? { model: m.name, params: m.params, pass, status: 'skipped', note: skip }
      : runPass(m, pass, pass === 'lop-merge' ? expanded : m.file, out, o);
    if (pass !== 'lop-expand') removeModel(out);
    log(
      `  ${pass}: ${run.status}${run.seconds !== undefined ? ` ${run.seconds.toFixed(2)} s` : ''}${run.maxRssMB ? `, ${run.maxRssMB.toFixed(0)} MB` : ''}${run.note ? ` (${run.note})` : ''}`,
    );
    runs.push(run);
  }
  removeModel(expanded);
  return runs;
}

/** The calibration folder of the PRO passes for `m` in the work folder. */
function calibrationDir(m: ScaleModel, work: string): string {
  return path.join(work, `${m.name}-calib`);
}

/** Writes the calibration folder once (random samples at the model's input size); a reason when it cannot. */
function calibrationFor(m: ScaleModel, work: string): string | undefined {
  const dir = calibrationDir(m, work);
  if (existsSync(dir)) return undefined;
  const g = loadOnnx(m.file);
  const r = writeRandomCalibration(g, dir, CALIB_SAMPLES, m.classes ?? 10);
  return 'skip' in r ? r.skip : undefined;
}

function removeModel(file: string): void {
  rmSync(file, { force: true });
  rmSync(externalDataPath(file), { force: true });
}

export async function runBench(args: string[]): Promise<void> {
  const f = parseFlags(args);
  const names = listFlag(f.models, f.quick ? QUICK_MODELS : FULL_MODELS, '--models');
  const passes = f.passes
    ? listFlag(f.passes, Object.keys(PASSES), '--passes')
    : Object.keys(PASSES).filter((p) => !OPT_IN.has(p));
  const timeoutS = Number(f.timeout);
  if (!(timeoutS > 0)) throw new ReproError(`--timeout ${f.timeout}: expected a positive number of seconds`);
  const cli = f.cli ? path.resolve(f.cli) : undefined;
  if (cli && !existsSync(cli))
    throw new ReproError(`--cli ${f.cli}: no such file; give a reprune CLI entry (bin/reprune.js)`);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const loadAtStart = os.loadavg()[0]!;
  const work = mkdtempSync(path.join(os.tmpdir(), 'reprune-bench-scale-'));
  const runs: PassRun[] = [];
  const ort: Record<string, number> = {};
  let skipped: string[] = [];
  try {
    const prepared = prepareModels(names, work, log);
    skipped = prepared.skipped;
    for (const s of skipped) log(`[scale] skipped ${s}`);
    for (const m of prepared.models) {
      log(`[scale] ${m.name}: ${m.params.toLocaleString('en-US')} params, ${(m.bytes / 2 ** 20).toFixed(1)} MB`);
      ort[m.name] = await ortLoadAndRun(m);
      runs.push(...runModel(m, passes, work, { timeoutS, cli }, log));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  writeResults(f, args, { runs, ort, skipped, passes, loadAtStart });
}

function writeResults(f: ScaleFlags, args: string[], r: ScaleResults): void {
  const cmd = `reprune bench scale ${args.join(' ')}`.trim();
  const md = scaleMarkdown(r, cmd);
  const exponents = Object.fromEntries(
    r.passes.map((p) => [p, fittedExponent(r.runs.filter((x) => x.pass === p)) ?? null]),
  );
  const json = { command: cmd, machine: machineDescription(), ...r, exponents };
  mkdirSync(f.out, { recursive: true });
  writeFileSync(path.join(f.out, 'scale.md'), md);
  writeFileSync(path.join(f.out, 'scale.json'), `${JSON.stringify(json, null, 1)}\n`);
  process.stdout.write(f.json ? `${JSON.stringify(json)}\n` : md);
}
