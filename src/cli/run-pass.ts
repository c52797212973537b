/**
 * What every model-writing command does around its pass: check the outputs before any work (never an input,
 * never an existing file without --force, side files never the model), load the model and data, save
 * atomically, replay a plan file, and print the summary (JSON on stdout, or one line on stderr).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataFor } from '../api/data.js';
import { applyPlan } from '../api/passes.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { loadModelChecked } from '../onnx/prepare.js';
import { saveOnnx } from '../onnx/save.js';
import { type PreparedModel, prepareModel } from '../runtime/shapes.js';
import type { PassContext } from '../passes/contract.js';
import type { PlanFile } from '../passes/pipeline.js';
import { ReproError } from '../util/errors.js';
import { checkOutputPath } from '../util/fs.js';
import { claimOutputs, type InputSpec } from '../util/output-guard.js';
import { readTextFile } from '../util/read-file.js';
import { oneLine, safeJson } from '../util/text.js';
import { type DataFlags, imageOptionsOf } from './data-flags.js';
import { checkLabels, modelClasses, splitName } from './labels.js';

interface OutputFlags {
  output: string;
  force?: boolean;
  json?: boolean;
  limit?: number;
  inputShape?: number[];
  [flag: string]: unknown;
}

const FLAG_OF: Record<string, string> = {
  plot: '--plot',
  savePlan: '--save-plan',
  saveRecipe: '--save-recipe',
  checkpoint: '--checkpoint',
};

/** The files of a `--data` folder: inputs no output may replace. */
export function dataInputs(data: unknown): InputSpec[] {
  if (typeof data !== 'string') return [];
  try {
    const dir = path.resolve(data);
    return fs
      .readdirSync(dir)
      .map((n) => ({ path: path.join(dir, n), what: `the --data file` }))
      .filter((i) => fs.statSync(i.path).isFile());
  } catch {
    return []; // not a folder ('mnist', or missing: its loader says so)
  }
}

/** An output model is about the size of its input: a folder without that much room is refused before the work. */
export function sizeOf(file: string): number | undefined {
  return fs.statSync(file, { throwIfNoEntry: false })?.size;
}

/**
 * -o and the side outputs (a plot, a saved plan) are claimed before any work: never an input (the model, --plan,
 * a data file) or each other, compared as files (util/output-guard.ts).
 */
export function checkSideOutput(f: OutputFlags, input: string, keys: string[]): void {
  const inputs: InputSpec[] = [{ path: input, what: 'the input model' }, ...dataInputs(f.data)];
  if (typeof f.plan === 'string') inputs.push({ path: f.plan, what: '--plan' });
  claimOutputs([{ path: f.output, flag: '-o', bytes: sizeOf(input) }], { inputs, force: f.force });
  for (const k of keys) {
    const v = f[k];
    if (typeof v === 'string') claimOutputs([{ path: v, flag: FLAG_OF[k] ?? k }], { inputs, force: f.force });
  }
}

/**
 * Check -o, then load the model and the training split of --data when given, and prepare the model (symbolic input
 * dims bound from --input-shape or the data's samples, opaque ops' shapes from ORT). `samples`: the passes read
 * only the first N samples (0: none; undefined: all of them, up to --limit). `prepared.restore` puts the symbolic
 * dims back on the model a command writes.
 */
export async function loadInputs(
  file: string,
  f: OutputFlags & DataFlags & { data?: string },
  o: { needsData: boolean; extraInputs?: string[]; samples?: number },
): Promise<{ g: Graph; data?: Dataset; prepared: PreparedModel }> {
  const inputs = [file, ...(o.extraInputs ?? []), ...dataInputs(f.data)];
  checkOutputPath(f.output, { inputs, force: f.force, bytes: sizeOf(file) });
  const g = loadModelChecked(file);
  const limits = [f.limit, o.samples].filter((n): n is number => n !== undefined);
  const wanted = o.needsData && f.data && o.samples !== 0;
  const limit = limits.length ? Math.min(...limits) : undefined;
  // Image folders are shaped to the model's input; --normalize applies to every kind of data.
  const data = wanted
    ? await loadDataFor(g, f.data!, 'train', { limit, normalize: f.normalize, image: imageOptionsOf(f) })
    : undefined;
  const prepared = await prepareModel(g, { inputShape: f.inputShape, sampleShape: data?.shape, where: file });
  // Training and calibration labels against the model's classes, before the pass runs.
  const classes = modelClasses(g);
  if (data && classes) checkLabels(data, classes, splitName(f.data!, 'training'));
  return { g, data, prepared };
}

/**
 * Save atomically; the model's symbolic input dims (bound for the run) are put back first. Writing a multi-GB
 * model reports progress on stderr unless `quiet` (--json).
 */
export function saveModel(
  g: Graph,
  output: string,
  input: string,
  o: { force?: boolean; prepared?: PreparedModel; quiet?: boolean },
): void {
  const log = o.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
  saveOnnx(o.prepared ? o.prepared.restore(g) : g, output, { inputs: [input], force: o.force }, { log });
}

/**
 * The input shape a plan was made at, when its model had symbolic dims bound then (by data or --input-shape): a
 * replay binds the same, so the model matches the plan's fingerprint without loading data again.
 */
export function planInputShape(file: string): number[] | undefined {
  try {
    const f = JSON.parse(readTextFile(file)) as Partial<PlanFile>;
    const shape = f.model?.inputs?.length === 1 ? f.model.inputs[0]!.shape : null;
    if (!shape || shape.length < 2 || !shape.slice(1).every((d) => typeof d === 'number')) return undefined;
    return [1, ...(shape.slice(1) as number[])];
  } catch {
    return undefined; // replayPlanFlag reports an unreadable plan
  }
}

/** `--plan FILE`: replay its steps on the model (checked to be the one it was planned on). */
export async function replayPlanFlag(g: Graph, file: string, ctx: PassContext) {
  let json: unknown;
  const text = readTextFile(file, { what: `--plan ${file}`, expected: 'a JSON plan written by --save-plan' });
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ReproError(`--plan ${file}: not a JSON plan (${(e as Error).message}); write one with --save-plan`);
  }
  const r = await applyPlan(g, json as PlanFile, ctx, `--plan ${file}`);
  return {
    graph: r.graph,
    plan: json as PlanFile,
    summary: { replayed: r.plans.map((p) => p.pass), reports: r.reports },
  };
}

/** `--json`: the summary on stdout; otherwise one line on stderr (the summary's message, or its key numbers). */
export function writeSummary(f: OutputFlags, input: string, summary: Record<string, unknown>): void {
  if (f.json) {
    process.stdout.write(`${safeJson({ model: input, output: f.output, ...summary })}\n`);
    return;
  }
  const pct = (x: unknown) => `${(100 * (x as number)).toFixed(1)}%`;
  const msg =
    typeof summary.message === 'string'
      ? summary.message
      : typeof summary.sparsity === 'number'
        ? `sparsity ${pct(summary.sparsity)}, importance kept ${pct(summary.importanceKept)}`
        : safeJson(summary);
  process.stderr.write(`wrote ${oneLine(f.output)}: ${oneLine(msg)}\n`);
}

/** Warnings of a summary (a prune that removed far less than asked), one `warning:` line each on stderr. */
export function writeWarnings(summary: Record<string, unknown>): void {
  const w = summary.warnings;
  if (Array.isArray(w)) for (const line of w) process.stderr.write(`warning: ${String(line)}\n`);
}
