/**
 * Running a recipe: each step is the same `runPass` the CLI's commands call, with the data a command would load
 * (the training split up to what the pass reads, the test split for training passes), and each step's model is
 * saved as `<output>/NN-<pass>.onnx` and read back before the next step — exactly what a chain of commands does,
 * so a recipe and the equivalent commands write the same bytes. Then one report compares every model with the input.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { parseCrop } from '../data/image-transform.js';
import { parseNormalizeSpec } from '../data/normalize.js';
import type { LoadOptions, Split } from '../data/sources.js';
import type { Graph } from '../ir/graph.js';
import { loadModelChecked } from '../onnx/prepare.js';
import { saveOnnx } from '../onnx/save.js';
import type { PassContext } from '../passes/contract.js';
import { passSpec, samplesUsedBy } from '../passes/registry.js';
import { buildReportHtml } from '../report/html.js';
import { measureModel } from '../report/measure.js';
import { collectLogits } from '../report/output-check.js';
import type { MethodResult, RunResults } from '../report/schema.js';
import { ReproError } from '../util/errors.js';
import { checkOutputPath, writeFileAtomic } from '../util/fs.js';
import { loadDataFor } from './data.js';
import { runPass } from './passes.js';
import type { PipelineRecipe, RecipeData, RecipePassStep } from './recipe.js';

export interface RunRecipeOptions {
  /** Replace an earlier run's report and models in the output folder, and existing export files. */
  force?: boolean;
  /** Write no report (models only). */
  noReport?: boolean;
  log?: (line: string) => void;
  /** Training progress (bars on a terminal). */
  progress?: boolean;
  latencyIters?: number;
  /** The command line recorded in the report. */
  command?: string;
}

export interface RecipeRunResult {
  graph: Graph;
  /** Every intermediate model, in step order. */
  models: Array<{ step: number; pass: string; file: string }>;
  exports: string[];
  results?: RunResults;
  reportFile?: string;
}

function loadOptions(d: RecipeData, log?: (l: string) => void): Omit<LoadOptions, 'limit'> {
  return {
    normalize: d.normalize ? parseNormalizeSpec(d.normalize) : undefined,
    image: { resize: d.resize, crop: d.crop ? parseCrop(d.crop) : undefined, skipBadImages: d.skipBadImages, log },
  };
}

function prepareOutput(r: PipelineRecipe, force?: boolean): void {
  if (existsSync(r.output) && !statSync(r.output).isDirectory())
    throw new ReproError(`${r.file}: output ${r.output} exists and is not a folder; choose a folder path`);
  for (const f of ['report.json', 'report.html'])
    if (existsSync(path.join(r.output, f)) && !force)
      throw new ReproError(
        `${r.file}: output folder ${r.output} already holds ${f} from an earlier run; pass --force or choose another output`,
      );
  for (const s of r.steps) if (s.kind === 'export') checkOutputPath(s.file, { inputs: [r.model], force });
  mkdirSync(r.output, { recursive: true });
}

/** The PassContext a command would give this step. */
async function stepContext(
  r: PipelineRecipe,
  step: RecipePassStep,
  cur: Graph,
  dense: Graph,
  o: RunRecipeOptions,
): Promise<PassContext> {
  const spec = passSpec(step.pass);
  const samples = samplesUsedBy([{ pass: step.pass, options: step.options }]);
  const d = r.data;
  if (!d) {
    const teacher = step.teacher === 'dense' ? dense : step.teacher ? loadModelChecked(step.teacher) : undefined;
    return { teacher, log: o.log, progress: o.progress };
  }
  const load = (split: Split, limit?: number) => loadDataFor(cur, d.source, split, { ...loadOptions(d, o.log), limit });
  const limits = [d.limit, step.limit, samples].filter((n): n is number => n !== undefined);
  const data =
    spec.data && samples !== 0 ? await load('train', limits.length ? Math.min(...limits) : undefined) : undefined;
  const evalData = spec.kind === 'train' ? await load('test', step.evalLimit) : undefined;
  const teacher = step.teacher === 'dense' ? dense : step.teacher ? loadModelChecked(step.teacher) : undefined;
  return { data, evalData, teacher, log: o.log, progress: o.progress };
}

const stepFile = (r: PipelineRecipe, i: number, pass: string) =>
  path.join(r.output, `${String(i + 1).padStart(2, '0')}-${pass}.onnx`);

/** Run every step; returns the final model and where each intermediate one was written. */
async function runSteps(r: PipelineRecipe, dense: Graph, o: RunRecipeOptions) {
  let cur = dense;
  let curFile: string | undefined;
  const models: RecipeRunResult['models'] = [];
  const exports: string[] = [];
  for (const [i, step] of r.steps.entries()) {
    if (step.kind === 'export') {
      // The bytes the last step wrote (a model read back and saved again may differ in its recorded shapes).
      if (curFile) writeFileAtomic(step.file, readFileSync(curFile), { inputs: [r.model], force: o.force });
      else saveOnnx(cur, step.file, { inputs: [r.model], force: o.force });
      exports.push(step.file);
      o.log?.(`[${i + 1}/${r.steps.length}] export → ${step.file}`);
      continue;
    }
    o.log?.(`[${i + 1}/${r.steps.length}] ${step.pass}`);
    const ctx = await stepContext(r, step, cur, dense, o);
    const res = await runPass(step.pass, cur, step.options, ctx).catch((e: unknown) => {
      throw e instanceof ReproError
        ? new ReproError(`${r.file}:${step.line}: steps[${i}].${step.pass}: ${e.message}`)
        : e;
    });
    const file = stepFile(r, i, step.pass);
    saveOnnx(res.graph, file, { inputs: [r.model], force: true });
    models.push({ step: i, pass: step.pass, file });
    // The next step starts from the file, as the next command of a chain would.
    cur = loadModelChecked(file);
    curFile = file;
  }
  return { graph: cur, models, exports };
}

function describeStep(step: RecipePassStep): string {
  const opts = Object.entries(step.options)
    .filter(([, v]) => !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(',') : String(v)}`);
  if (step.teacher) opts.push(`teacher ${step.teacher === 'dense' ? 'dense' : path.basename(step.teacher)}`);
  return opts.length ? `${step.pass} (${opts.join(', ')})` : step.pass;
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length}, ${os.platform()} ${os.arch()}, Node ${process.version}`;
}

/** Evaluate the input and every step's model on the test split and build the report. */
async function recipeReport(
  r: PipelineRecipe & { data: RecipeData },
  dense: Graph,
  models: RecipeRunResult['models'],
  o: RunRecipeOptions,
) {
  const test: Dataset = await loadDataFor(dense, r.data.source, 'test', {
    ...loadOptions(r.data, o.log),
    limit: r.data.evalLimit,
  });
  const logits = await collectLogits(dense, test);
  const common = { test, latencyIters: o.latencyIters };
  const baseline = await measureModel({
    ...common,
    method: 'input',
    label: `input ${path.basename(r.model)}`,
    graph: dense,
    file: r.model,
  });
  const methods: MethodResult[] = [];
  let chain = '';
  for (const m of models) {
    const step = r.steps[m.step] as RecipePassStep;
    chain = chain ? `${chain} → ${step.pass}` : step.pass;
    const label = `${m.step + 1}. ${describeStep(step)}`;
    o.log?.(`  measuring ${path.basename(m.file)}`);
    methods.push(
      await measureModel({
        ...common,
        method: `${m.step + 1}-${step.pass}`,
        label,
        graph: loadModelChecked(m.file),
        file: m.file,
        model: path.basename(m.file),
        dense: { graph: dense, logits },
        notes: chain,
      }),
    );
  }
  const results: RunResults = {
    version: 1,
    createdAt: new Date().toISOString(),
    command: o.command ?? `reprune run ${r.file}`,
    machine: machine(),
    dataset: `${r.data.source} (test split, ${test.count} samples)`,
    latencyBatch: 1,
    baseline,
    methods,
    curves: [],
    heatmaps: [],
    scaling: [],
  };
  return results;
}

/** Run a validated recipe: every step, every intermediate model, the exports, and one report. */
export async function runRecipe(r: PipelineRecipe, o: RunRecipeOptions = {}): Promise<RecipeRunResult> {
  prepareOutput(r, o.force);
  const dense = loadModelChecked(r.model);
  const { graph, models, exports } = await runSteps(r, dense, o);
  if (o.noReport || !r.data) {
    if (!o.noReport) o.log?.(`${r.file}: no 'data', so no report (it evaluates every model on the test split)`);
    return { graph, models, exports };
  }
  const results = await recipeReport({ ...r, data: r.data }, dense, models, o);
  writeFileAtomic(path.join(r.output, 'report.json'), `${JSON.stringify(results, null, 1)}\n`);
  const reportFile = path.join(r.output, 'report.html');
  writeFileAtomic(reportFile, await buildReportHtml(results));
  return { graph, models, exports, results, reportFile };
}
