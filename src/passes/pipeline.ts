/**
 * Passes in sequence, and plans saved and replayed. A pipeline plans each step on the model the previous step
 * produced and applies it; the plans, in order, make a plan file (`--save-plan`) that `replayPlans` applies to
 * the same input model without recomputing importance, calibration or scores. A plan file records its input
 * model's fingerprint, so it is never applied to another model by mistake.
 */
import type { Dim, Graph } from '../ir/graph.js';
import { graphFingerprint } from '../ir/fingerprint.js';
import { ReproError } from '../util/errors.js';
import type { PassContext, PlanHeader } from './contract.js';
import { byKey, type OptionNamer, resolveOptions } from './options.js';
import { loadPass, passSpec } from './registry.js';

export interface PipelineStep {
  pass: string;
  /** Options as the pass's schema names them; validated, defaults filled. */
  options?: Record<string, unknown>;
}

export interface StepReport {
  pass: string;
  report: unknown;
}

export interface PipelineResult {
  graph: Graph;
  plans: PlanHeader<unknown>[];
  reports: StepReport[];
}

/** What `--save-plan` writes. */
export interface PlanFile {
  format: 'reprune-plan';
  version: 1;
  /** The model the first step was planned on. */
  model: {
    name: string;
    fingerprint: string;
    /** Input shapes as planned: with symbolic H/W bound (from data or --input-shape), a replay binds the same. */
    inputs?: Array<{ name: string; shape: Dim[] | null }>;
  };
  steps: PlanHeader<unknown>[];
}

/** Plan and apply each step in turn; every step sees the previous step's output. The input is untouched. */
export async function runPipeline(
  g: Graph,
  steps: PipelineStep[],
  ctx: PassContext = {},
  namer: OptionNamer = byKey,
): Promise<PipelineResult> {
  let cur = g;
  const plans: PlanHeader<unknown>[] = [];
  const reports: StepReport[] = [];
  for (const step of steps) {
    const plan = await planStep(cur, step, ctx, namer);
    const res = await (await loadPass(step.pass)).apply(cur, plan, ctx);
    plans.push(plan);
    reports.push({ pass: step.pass, report: res.report });
    cur = res.graph;
  }
  return { graph: cur, plans, reports };
}

/** Plan one step on `g` without applying it: the scores, masks and report a plan carries, with no new model built. */
export async function planStep(
  g: Graph,
  step: PipelineStep,
  ctx: PassContext = {},
  namer: OptionNamer = byKey,
): Promise<PlanHeader<unknown>> {
  const pass = await loadPass(step.pass);
  return pass.plan(g, resolveOptions(pass, step.options ?? {}, namer), ctx);
}

/** Apply saved plans in order (no planning: importance, calibration and scores are not recomputed). */
export async function replayPlans(
  g: Graph,
  plans: PlanHeader<unknown>[],
  ctx: PassContext = {},
): Promise<PipelineResult> {
  let cur = g;
  const reports: StepReport[] = [];
  for (const plan of plans) {
    const pass = await loadPass(plan.pass);
    const res = await pass.apply(cur, plan, ctx);
    reports.push({ pass: plan.pass, report: res.report });
    cur = res.graph;
  }
  return { graph: cur, plans, reports };
}

/**
 * The plan file of `plans` made on `input`. Its fingerprint is hashed on first read (JSON.stringify reads it):
 * hashing every weight costs about a second per GB (2.2 s of a 17 s LOP merge of ResNet-50 expanded ×4), and most
 * runs never save their plan. `input` is never modified by a pass, so the late hash is the input's.
 */
export function planFile(input: Graph, plans: PlanHeader<unknown>[]): PlanFile {
  let fingerprint: string | undefined;
  return {
    format: 'reprune-plan',
    version: 1,
    model: {
      name: input.name,
      get fingerprint() {
        fingerprint ??= graphFingerprint(input);
        return fingerprint;
      },
      inputs: input.inputs.map((v) => ({ name: v.name, shape: v.shape ? [...v.shape] : null })),
    },
    steps: plans,
  };
}

/** Validate a parsed plan file against the model it is about to be applied to; returns its steps. */
export function readPlanFile(json: unknown, input: Graph, where: string): PlanHeader<unknown>[] {
  const f = json as Partial<PlanFile> | null;
  if (!f || typeof f !== 'object' || f.format !== 'reprune-plan')
    throw new ReproError(`${where}: not a reprune plan (no "format": "reprune-plan"); write one with --save-plan`);
  if (f.version !== 1)
    throw new ReproError(
      `${where}: plan format version ${String(f.version)} is not supported (this reprune reads version 1)`,
    );
  if (!Array.isArray(f.steps) || f.steps.some((s) => !s || typeof s !== 'object' || typeof s.pass !== 'string')) {
    throw new ReproError(`${where}: "steps" must be a list of plans, each with a "pass" name`);
  }
  for (const s of f.steps) {
    passSpec(s.pass);
    if (s.version !== 1)
      throw new ReproError(
        `${where}: step '${s.pass}' has plan version ${String(s.version)}; this reprune reads version 1`,
      );
  }
  const fp = graphFingerprint(input);
  if (f.model?.fingerprint !== fp) {
    throw new ReproError(
      `${where}: the plan was made for another model ('${f.model?.name ?? '?'}'); plans only replay on the exact model they were planned on`,
    );
  }
  return f.steps;
}
