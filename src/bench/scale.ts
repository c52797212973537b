/**
 * `reprune bench scale`: compression at real size. Models of growing size — ResNet-18, ResNet-50 and VGG-16 from
 * torchvision (skipped with the reason where PyTorch is absent) and a ViT-B-sized MatMul stack built here — and
 * for each, every pass run as the real CLI command in its own child process: wall time and peak RSS (read by a
 * preloaded probe, bench/scale-probe.ts), next to the time ONNX Runtime takes to load and run the model once, plus
 * the fitted exponent of time vs parameters per pass (least squares on log-log; 1 = linear). Writes
 * `<out>/scale.md` and `scale.json`. `--quick` uses tiny models (a smoke test of the table, not a measurement).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import type { Graph } from '../ir/graph.js';
import { buildModel } from '../models/index.js';
import { buildMatMulStack } from '../models/matmul-stack.js';
import { loadOnnx } from '../onnx/decode.js';
import { externalDataPath } from '../onnx/external.js';
import { saveOnnx } from '../onnx/save.js';
import { loadOrt } from '../runtime/ort.js';
import { ReproError } from '../util/errors.js';
import { markdownTable } from '../util/markdown.js';
import { machineDescription } from './benchmarks-doc.js';
import { writeRandomCalibration } from './scale-data.js';
import { exportTorchvision, torchSkipReason } from './torch.js';

interface ScaleFlags {
  models?: string;
  passes?: string;
  out: string;
  timeout: string;
  quick?: boolean;
  json?: boolean;
}

interface ScaleModel {
  name: string;
  file: string;
  params: number;
  bytes: number;
  /** Output classes (calibration labels stay below); torchvision exports have 1000. */
  classes?: number;
}

export interface PassRun {
  model: string;
  params: number;
  pass: string;
  seconds?: number;
  maxRssMB?: number;
  /** Peak RSS over the model's size on disk. */
  rssOverModel?: number;
  status: 'ok' | 'failed' | 'timeout' | 'skipped';
  note?: string;
}

const FULL_MODELS = ['resnet18', 'resnet50', 'vgg16', 'vit-b-stack'];
const QUICK_MODELS = ['mlp', 'lenet5', 'tiny-stack'];
const TORCHVISION = new Set(['resnet18', 'resnet50', 'vgg16']);

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
};
const OPT_IN = new Set(['reap-pro']);
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

function paramCount(g: Graph): number {
  let n = 0;
  for (const t of g.initializers.values()) if (t.dtype === 'float32') n += t.data.length;
  return n;
}

/** Built-in models written into `work`: the zoo, or a MatMul stack. */
function builtModel(name: string, work: string): ScaleModel {
  const g =
    name === 'vit-b-stack'
      ? buildMatMulStack({ width: 768, hidden: 3072, blocks: 18 })
      : name === 'tiny-stack'
        ? buildMatMulStack({ width: 64, hidden: 128, blocks: 2 })
        : buildModel(name);
  const file = path.join(work, `${name}.onnx`);
  saveOnnx(g, file);
  return { name, file, params: paramCount(g), bytes: modelBytes(file) };
}

function modelBytes(file: string): number {
  const data = externalDataPath(file);
  return statSync(file).size + (existsSync(data) ? statSync(data).size : 0);
}

/** The models of the run (torchvision ones exported in one Python process); skipped ones come back as notes. */
function prepareModels(
  names: string[],
  work: string,
  log: (s: string) => void,
): { models: ScaleModel[]; skipped: string[] } {
  const skipped: string[] = [];
  const torch = names.filter((n) => TORCHVISION.has(n));
  const exported = new Map<string, ScaleModel>();
  const why = torch.length ? torchSkipReason() : undefined;
  if (why) skipped.push(...torch.map((n) => `${n}: ${why}`));
  else if (torch.length) {
    log(`[scale] exporting ${torch.join(', ')} from torchvision (224×224, BatchNorm kept)`);
    const specs = torch.map((arch) => ({
      arch,
      file: path.join(work, `${arch}.onnx`),
      size: 224,
      classes: 1000,
      keepBn: true,
    }));
    for (const e of exportTorchvision(specs)) {
      if (e.error) skipped.push(`${e.arch}: export failed (${e.error})`);
      else
        exported.set(e.arch, {
          name: e.arch,
          file: e.file,
          params: e.params ?? 0,
          bytes: modelBytes(e.file),
          classes: 1000,
        });
    }
  }
  const models: ScaleModel[] = [];
  for (const n of names) {
    if (TORCHVISION.has(n)) {
      const m = exported.get(n);
      if (m) models.push(m);
    } else models.push(builtModel(n, work));
  }
  return { models, skipped };
}

/** node arguments that run the CLI (or the unify script) with the probe preloaded, from source or from dist. */
function childArgs(pass: string, args: string[]): string[] {
  const fromSource = import.meta.url.endsWith('.ts');
  const ext = fromSource ? 'ts' : 'js';
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  const entry = pass === 'unify' ? here(`./scale-unify.${ext}`) : here(`../cli/run.${ext}`);
  const probe = pathToFileURL(here(`./scale-probe.${ext}`)).href;
  return [...(fromSource ? ['--import', 'tsx'] : []), '--import', probe, entry, ...args];
}

/** Run one pass in a child process: wall time from here, peak RSS from the probe. */
function runPass(m: ScaleModel, pass: string, input: string, output: string, timeoutS: number): PassRun {
  const data = calibrationDir(m, path.dirname(output));
  const probe = path.join(path.dirname(output), `probe-${process.pid}.json`);
  rmSync(probe, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, childArgs(pass, PASSES[pass]!(input, output, data)), {
    env: { ...process.env, REPRUNE_SCALE_PROBE: probe },
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    maxBuffer: 256 << 20,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const base = { model: m.name, params: m.params, pass };
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT')
    return { ...base, status: 'timeout', note: `over ${timeoutS} s` };
  const usage = existsSync(probe) ? (JSON.parse(readFileSync(probe, 'utf8')) as { maxRssKB: number }) : undefined;
  const maxRssMB = usage ? usage.maxRssKB / 1024 : undefined;
  const rssOverModel = maxRssMB !== undefined ? (maxRssMB * 2 ** 20) / m.bytes : undefined;
  if (r.status !== 0) {
    const note = (r.stderr || '').trim().split('\n').pop()?.slice(0, 200) ?? `exit ${r.status}`;
    return { ...base, seconds, maxRssMB, status: 'failed', note };
  }
  return { ...base, seconds, maxRssMB, rssOverModel, status: 'ok' };
}

/** ONNX Runtime: create a session from the file and run it once on zeros (symbolic dims bound to 1). */
async function ortLoadAndRun(m: ScaleModel): Promise<number> {
  const g = loadOnnx(m.file);
  const ort = await loadOrt();
  const t0 = process.hrtime.bigint();
  const s = await ort.InferenceSession.create(m.file, { intraOpNumThreads: os.availableParallelism() });
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const i of g.inputs) {
    const dims = (i.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
    feeds[i.name] = new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
  }
  await s.run(feeds);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await s.release();
  return seconds;
}

/** Every pass on one model; lop-merge merges lop-expand's output (kept until then). */
function runModel(
  m: ScaleModel,
  passes: string[],
  work: string,
  timeoutS: number,
  log: (s: string) => void,
): PassRun[] {
  const runs: PassRun[] = [];
  const expanded = path.join(work, `${m.name}.lop.onnx`);
  for (const pass of passes) {
    const out = pass === 'lop-expand' ? expanded : path.join(work, `${m.name}.${pass}.onnx`);
    let run: PassRun;
    const noData = pass === 'reap-pro' ? calibrationFor(m, work) : undefined;
    if (pass === 'lop-merge' && !existsSync(expanded))
      run = { model: m.name, params: m.params, pass, status: 'skipped', note: 'needs lop-expand’s output' };
    else if (noData) run = { model: m.name, params: m.params, pass, status: 'skipped', note: noData };
    else run = runPass(m, pass, pass === 'lop-merge' ? expanded : m.file, out, timeoutS);
    if (pass !== 'lop-expand') removeModel(out);
    log(
      `  ${pass}: ${run.status}${run.seconds !== undefined ? ` ${run.seconds.toFixed(2)} s` : ''}${run.maxRssMB ? `, ${run.maxRssMB.toFixed(0)} MB` : ''}${run.note ? ` (${run.note})` : ''}`,
    );
    runs.push(run);
  }
  removeModel(expanded);
  return runs;
}

/** The reap-pro pass's calibration folder for `m` in the work folder. */
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

/** Least-squares slope of log(seconds) on log(params) over a pass's successful runs (undefined below 2 sizes). */
export function fittedExponent(runs: PassRun[]): number | undefined {
  const pts = runs.filter((r) => r.status === 'ok' && r.seconds! > 0 && r.params > 0);
  if (new Set(pts.map((r) => r.params)).size < 2) return undefined;
  const xs = pts.map((r) => Math.log(r.params)),
    ys = pts.map((r) => Math.log(r.seconds!));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length,
    my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0,
    sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  return sxy / sxx;
}

export async function runBench(args: string[]): Promise<void> {
  const f = parseFlags(args);
  const names = listFlag(f.models, f.quick ? QUICK_MODELS : FULL_MODELS, '--models');
  const passes = f.passes
    ? listFlag(f.passes, Object.keys(PASSES), '--passes')
    : Object.keys(PASSES).filter((p) => !OPT_IN.has(p));
  const timeoutS = Number(f.timeout);
  if (!(timeoutS > 0)) throw new ReproError(`--timeout ${f.timeout}: expected a positive number of seconds`);
  const log = (s: string) => process.stderr.write(`${s}\n`);
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
      runs.push(...runModel(m, passes, work, timeoutS, log));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  writeResults(f, args, { runs, ort, skipped, passes });
}

export interface ScaleResults {
  runs: PassRun[];
  ort: Record<string, number>;
  skipped: string[];
  passes: string[];
}

/** The table: one row per model × pass, then one row per pass with its fitted exponent. */
export function scaleMarkdown(r: ScaleResults, cmd: string): string {
  const cell = (x: number | undefined, d: number) => (x === undefined ? '—' : x.toFixed(d));
  const rows = r.runs.map((x) => [
    x.model,
    x.params.toLocaleString('en-US'),
    x.pass,
    x.status === 'ok' ? cell(x.seconds, 2) : `${x.status}${x.note ? `: ${x.note}` : ''}`,
    cell(x.maxRssMB, 0),
    cell(x.rssOverModel, 1),
    cell(r.ort[x.model], 2),
  ]);
  const fits = r.passes.map((p) => [p, cell(fittedExponent(r.runs.filter((x) => x.pass === p)), 2)]);
  return [
    '## scale',
    '',
    `Command: \`${cmd}\`. Machine: ${machineDescription()}; load average at start ${os.loadavg()[0]!.toFixed(2)}.`,
    '',
    'Each pass is the CLI command in its own process (wall time includes loading and saving the model); peak RSS',
    'from the process itself; ORT = ONNX Runtime creating a session from the file and running it once.',
    '',
    markdownTable(
      ['model', 'params', 'pass', 'seconds', 'peak RSS (MB)', 'RSS / model size', 'ORT load+run (s)'],
      rows,
    ),
    '',
    'Time vs parameters, fitted exponent per pass (1 = linear; over the models that ran):',
    '',
    markdownTable(['pass', 'exponent'], fits),
    '',
    ...(r.skipped.length ? [`Skipped: ${r.skipped.join('; ')}`, ''] : []),
  ].join('\n');
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
