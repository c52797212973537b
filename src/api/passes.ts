/**
 * Any registered pass from the library: list them, run one (plan + apply), or replay a saved plan. The CLI's
 * commands, recipes, the demo and the benches go through the same functions.
 * @example
 * const { graph, plan } = await runPass('channels', g, { criterion: 'l1', ratio: 0.5 });
 * const again = await applyPlan(g, planFile(g, [plan]));   // the same model, no importance recomputed
 */
import type { Graph } from '../ir/graph.js';
import type { PassContext, PlanHeader } from '../passes/contract.js';
import { byKey, type OptionNamer, resolveOptions } from '../passes/options.js';
import { type PipelineResult, type PlanFile, readPlanFile, replayPlans } from '../passes/pipeline.js';
import { loadPass } from '../passes/registry.js';

export type {
  AnyPass,
  NoOptions,
  OptionSchema,
  OptionSpec,
  Pass,
  PassContext,
  PassKind,
  PassResult,
  PassSpec,
  PlanHeader,
} from '../passes/contract.js';
export { passNames, passSpec, passSpecs } from '../passes/registry.js';
export { resolveOptions } from '../passes/options.js';
export {
  planFile,
  readPlanFile,
  replayPlans,
  runPipeline,
  type PipelineResult,
  type PipelineStep,
  type PlanFile,
  type StepReport,
} from '../passes/pipeline.js';

export interface RunPassResult {
  graph: Graph;
  report: unknown;
  /** The plan that was applied (plain JSON). */
  plan: PlanHeader<unknown>;
}

/** Plan and apply one pass by name; options are checked against its schema (defaults filled in). */
export async function runPass(
  name: string,
  g: Graph,
  options: Record<string, unknown> = {},
  ctx: PassContext = {},
  namer: OptionNamer = byKey,
): Promise<RunPassResult> {
  const pass = await loadPass(name);
  const plan = await pass.plan(g, resolveOptions(pass, options, namer), ctx);
  const res = await pass.apply(g, plan, ctx);
  return { graph: res.graph, report: res.report, plan };
}

/** Only the plan of one pass (what it would cut, permute, expand or train), as plain JSON. */
export async function planPass(
  name: string,
  g: Graph,
  options: Record<string, unknown> = {},
  ctx: PassContext = {},
): Promise<PlanHeader<unknown>> {
  const pass = await loadPass(name);
  return pass.plan(g, resolveOptions(pass, options), ctx);
}

/** Apply a plan file (checked to belong to `g`) or a list of plans, in order. */
export async function applyPlan(
  g: Graph,
  plan: PlanFile | PlanHeader<unknown>[],
  ctx: PassContext = {},
  where = 'plan',
): Promise<PipelineResult> {
  const steps = Array.isArray(plan) ? plan : readPlanFile(plan, g, where);
  return replayPlans(g, steps, ctx);
}
