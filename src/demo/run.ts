/**
 * `reprune demo` end to end: train (or reuse) the dense lenet5, run every method step, write
 * `<dir>/<method>.onnx`, `<dir>/report.json` (RunResults) and `<dir>/report.html`. A failing step leaves a
 * row with its error in the notes and the demo goes on.
 */
import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { take } from '../data/dataset.js';
import { loadDataset } from '../data/sources.js';
import { trainedModel } from '../models/trained.js';
import { buildReportHtml } from '../report/html.js';
import type { MethodResult, RunResults } from '../report/schema.js';
import { ReproError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { claimOutputs, ensureOutputFolder } from '../util/output-guard.js';
import { demoConfig } from './config.js';
import type { DemoContext, DemoStep } from './context.js';
import { lopStep } from './lop.js';
import { failedRow, measureMethod } from './measure.js';
import { l1Step, reapStep } from './structured.js';
import { tedeprStep } from './tedepr.js';
import { tileStep } from './tile.js';
import { unifyStep } from './unify.js';

/** In report order. LOP fine-tunes the L1 step's model, so it comes after it. */
export const DEMO_STEPS: DemoStep[] = [tileStep, l1Step, reapStep, lopStep, unifyStep, tedeprStep];

export interface DemoOptions {
  dir: string;
  quick?: boolean;
  force?: boolean;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Training progress bars / epoch lines (default true). */
  progress?: boolean;
  /** The command line recorded in the report. */
  command?: string;
  /** Run only these steps (by method key of their first row); for tests and debugging. */
  only?: string[];
  /** Replace the step list (tests). */
  steps?: DemoStep[];
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length}, ${os.platform()} ${os.arch()}, Node ${process.version}`;
}

/**
 * Before training: the folder (made if missing; removed again if nothing gets written) must take new files, and
 * the report files are claimed (util/output-guard.ts) so a second demo cannot write them at the same time.
 */
function prepareDir(dir: string, force: boolean | undefined): void {
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new ReproError(`-o ${dir}: exists and is not a folder; choose a folder path`);
  for (const f of ['report.json', 'report.html']) {
    if (existsSync(path.join(dir, f)) && !force)
      throw new ReproError(
        `-o ${dir}: already holds ${f} from an earlier run; pass --force to replace it or choose another folder`,
      );
  }
  ensureOutputFolder(dir, `-o ${dir}`);
  claimOutputs(REPORT_FILES.map((f) => ({ path: path.join(dir, f), flag: '-o', replace: true })));
}

const REPORT_FILES = ['report.json', 'report.html'];

const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

export async function runDemo(o: DemoOptions): Promise<RunResults> {
  const t0 = performance.now();
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const cfg = demoConfig(!!o.quick);
  prepareDir(o.dir, o.force);
  const ctx = await demoContext(o, cfg, log);
  log(`[demo] dense model`);
  const baseline = await measureMethod(ctx, {
    method: 'dense',
    label: `dense ${cfg.arch}`,
    graph: ctx.dense,
    notes: `${cfg.baseEpochs} epochs, SGD + cosine`,
  });
  ctx.denseResult = baseline;
  const methods = await runSteps(o, ctx, log);
  const results = reportResults(o, ctx, baseline, methods);
  writeFileAtomic(path.join(o.dir, 'report.json'), `${JSON.stringify(results, null, 1)}\n`);
  writeFileAtomic(path.join(o.dir, 'report.html'), await buildReportHtml(results));
  log(`[demo] wrote ${path.join(o.dir, 'report.html')} and report.json in ${secs(t0)} total`);
  return results;
}

/** Loads the data and trains (or reuses) the dense model: what every step shares. */
async function demoContext(o: DemoOptions, cfg: DemoContext['cfg'], log: (l: string) => void): Promise<DemoContext> {
  const train = loadDataset(cfg.data, 'train', { limit: cfg.trainLimit });
  const test = loadDataset(cfg.data, 'test', { limit: cfg.testLimit });
  log(
    `[demo] ${cfg.arch} on ${cfg.data}: ${train.count} training / ${test.count} test samples${cfg.quick ? ' (--quick)' : ''}`,
  );
  const dense = await trainedModel(cfg.arch, {
    data: cfg.data,
    epochs: cfg.baseEpochs,
    limit: cfg.trainLimit,
    log: (l) => log(`[demo] ${l}`),
    progress: o.progress ?? true,
  });
  if (!dense.trained) log(`[demo] reusing the trained model ${dense.file} (delete it to retrain)`);
  return {
    cfg,
    dir: o.dir,
    train,
    test,
    calib: take(train, Math.min(cfg.calibSamples, train.count)),
    dense: dense.graph,
    log,
    progress: o.progress ?? true,
    curves: [],
    heatmaps: [],
    scaling: [],
    shared: {},
  };
}

/** Runs the selected steps in order; a failing step becomes failed rows (with its error) and the demo goes on. */
async function runSteps(o: DemoOptions, ctx: DemoContext, log: (l: string) => void): Promise<MethodResult[]> {
  const methods: MethodResult[] = [];
  const all = o.steps ?? DEMO_STEPS;
  const steps = o.only ? all.filter((s) => o.only!.includes(s.rows[0]!.method)) : all;
  for (const [i, step] of steps.entries()) {
    const ts = performance.now();
    log(`[demo ${i + 1}/${steps.length}] ${step.name}`);
    try {
      methods.push(...(await step.run(ctx)));
      log(`[demo ${i + 1}/${steps.length}] ${step.name}: done in ${secs(ts)}`);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      log(`[demo ${i + 1}/${steps.length}] ${step.name} FAILED after ${secs(ts)}: ${e.message}`);
      if (!(e instanceof ReproError)) log(e.stack ?? '');
      methods.push(...step.rows.map((r) => failedRow(r.method, r.label, e)));
    }
  }
  return methods;
}

/** report.json: the machine, the data, the dense baseline, every step's rows and the plots' data. */
function reportResults(o: DemoOptions, ctx: DemoContext, baseline: MethodResult, methods: MethodResult[]): RunResults {
  const { cfg, train, test } = ctx;
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    command: o.command ?? `reprune demo${cfg.quick ? ' --quick' : ''}`,
    machine: machine(),
    dataset: `${cfg.data.toUpperCase()} (${train.count} train / ${test.count} test)`,
    latencyBatch: cfg.latencyBatch,
    baseline,
    methods,
    curves: ctx.curves,
    heatmaps: ctx.heatmaps,
    scaling: ctx.scaling,
  };
}
