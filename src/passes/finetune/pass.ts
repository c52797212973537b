/**
 * `finetune` as a pass: plain fine-tuning with the input's zeros held at zero, or LOP (expand → train → merge,
 * checked to give back exactly the input's architecture), with SP-KD when the context carries a dense teacher.
 * The plan records the recipe and the mask it will hold; apply trains on `ctx.data`.
 */
import type { Graph } from '../../ir/graph.js';
import { evaluate } from '../../runtime/evaluate.js';
import { masksFromZeros, selectParams } from '../../train/params.js';
import { FINETUNE_RECIPE, recipeOptions } from '../../train/recipes.js';
import { type EpochStats, trainModel } from '../../train/trainer.js';
import { ReproError } from '../../util/errors.js';
import type { Pass, PassContext, PlanHeader } from '../contract.js';
import { needData } from '../contract.js';
import { assertSameArchitecture } from '../lop/architecture.js';
import { type FinetuneMode, type LopFinetuneResult, lopFinetune } from '../lop/finetune.js';
import { FINETUNE_SPEC, type FinetuneOptions } from './spec.js';

export interface FinetuneReport {
  mode: FinetuneMode;
  /** Weights held at zero. */
  maskedWeights: number;
  /** Test accuracy and loss of the model returned (after the merge for LOP); null without evaluation data. */
  accuracy: number | null;
  testLoss: number | null;
  history: EpochStats[];
  expanded?: number;
  skipped?: Array<{ node: string; reason: string }>;
  spLayers?: string[];
  /** SP-KD's γ as used and how it was set (fixed, or the share rule with the starting losses). */
  sp?: LopFinetuneResult['sp'];
}

export interface FinetunePlan extends PlanHeader<FinetuneOptions> {
  maskedWeights: number;
}

/** Expanded factors are dense, so exact zeros cannot be held at zero through a LOP run. */
function zeroMasks(g: Graph, o: FinetuneOptions): Record<string, Uint8Array> {
  return o.mask && !o.lop ? masksFromZeros(g, selectParams(g, undefined)) : {};
}

function countMasked(masks: Record<string, Uint8Array>): number {
  return Object.values(masks).reduce((a, m) => a + m.length - m.reduce((s, v) => s + v, 0), 0);
}

async function vanilla(g: Graph, o: FinetuneOptions, ctx: PassContext) {
  const opts = recipeOptions({ ...o, checkpoint: ctx.checkpoint, resume: ctx.resume }, FINETUNE_RECIPE);
  const res = await trainModel(g, needData(ctx, 'finetune', 'training'), {
    ...opts,
    progress: ctx.progress ?? false,
    evalDs: ctx.evalData,
    masks: zeroMasks(g, o),
  });
  const last = res.history.at(-1);
  return { graph: res.graph, history: res.history, accuracy: last?.testAcc ?? null, testLoss: last?.testLoss ?? null };
}

async function withLop(g: Graph, o: FinetuneOptions, ctx: PassContext) {
  if (ctx.checkpoint || ctx.resume)
    throw new ReproError('--checkpoint/--resume are not supported with --lop or --teacher');
  const opts = recipeOptions(o, FINETUNE_RECIPE);
  const res = await lopFinetune(g, needData(ctx, 'finetune', 'training'), {
    ...opts,
    progress: ctx.progress ?? false,
    masks: zeroMasks(g, o),
    lop: o.lop,
    expand: o.expand,
    teacher: ctx.teacher,
    // A share replaces the fixed γ (whose default is always filled in).
    spGamma: o.spShare === undefined ? o.spGamma : undefined,
    spShare: o.spShare,
    spLayers: o.spLayers,
  });
  assertSameArchitecture(g, res.graph, 'finetune');
  // Accuracy of the model that is returned (after the merge), not of the expanded one that was trained.
  const ev = ctx.evalData ? await evaluate(res.graph, ctx.evalData) : undefined;
  return {
    graph: res.graph,
    history: res.history,
    accuracy: ev?.accuracy ?? null,
    testLoss: ev?.loss ?? null,
    mode: res.mode,
    expanded: res.expandReport?.expanded.length,
    skipped: res.expandReport?.skipped,
    spLayers: res.spLayers,
    sp: res.sp,
  };
}

export const finetunePass: Pass<FinetuneOptions, FinetunePlan, FinetuneReport> = {
  ...FINETUNE_SPEC,
  plan(g, o, ctx) {
    if (!ctx.teacher && o.spLayers) throw new ReproError('--sp-layers needs --teacher <dense.onnx>');
    return { pass: 'finetune', version: 1, options: o, maskedWeights: countMasked(zeroMasks(g, o)) };
  },
  async apply(g, plan, ctx) {
    const o = plan.options;
    const lop = o.lop || !!ctx.teacher;
    const r = lop ? await withLop(g, o, ctx) : { ...(await vanilla(g, o, ctx)), mode: 'vanilla' as const };
    const { graph, ...rest } = r;
    return { graph, report: { ...rest, maskedWeights: plan.maskedWeights } };
  },
};
