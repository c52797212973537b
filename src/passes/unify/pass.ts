/**
 * `unify` as a pass. ADMM decides the block structure while it trains, so the plan is the validated recipe (and
 * the layers it covers); apply trains on `ctx.data` and reports the block accounting.
 */
import { inferShapes } from '../../ir/shape/index.js';
import { ReproError } from '../../util/errors.js';
import type { Graph } from '../../ir/graph.js';
import type { Pass, PlanHeader } from '../contract.js';
import { needData } from '../contract.js';
import { type LowerDecision, measureLowering } from '../measure-lowering.js';
import type { BlockAccounting } from './accounting.js';
import { type AdmmRound, unifyModel } from './admm.js';
import { parseBlock } from './blocks.js';
import { unifyLayers } from './layers.js';
import { type UnifyLoweredLayer, lowerUnified } from './lower.js';
import {
  resolveUnifyMode,
  UNIFY_LOWER_SPEC,
  UNIFY_SPEC,
  type UnifyLowerOptions,
  type UnifyPassOptions,
} from './spec.js';

export interface UnifyReport {
  /** The training that ran ('auto' resolved). */
  mode: 'admm' | 'oneshot' | 'gradual';
  accuracy?: number;
  accounting: BlockAccounting;
  rounds: AdmmRound[];
  epochs: number;
}

export interface UnifyPlan extends PlanHeader<UnifyPassOptions> {
  layers: string[];
}

export const unifyPass: Pass<UnifyPassOptions, UnifyPlan, UnifyReport> = {
  ...UNIFY_SPEC,
  plan(g, o) {
    const block = parseBlock(o.block);
    if (o.unify + o.prune > 1)
      throw new ReproError(`--unify ${o.unify} + --prune ${o.prune} exceed 1: at most all blocks can be constrained`);
    const shaped = g.clone(true);
    inferShapes(shaped, { batch: 1 });
    const layers = unifyLayers(shaped, block, o.layers).map((l) => l.view.node.name);
    return { pass: 'unify', version: 1, options: o, layers };
  },
  async apply(g, plan, ctx) {
    const o = plan.options;
    const mode = resolveUnifyMode(o);
    const res = await unifyModel(g, needData(ctx, 'unify (ADMM trains the model)', 'training'), {
      block: parseBlock(o.block),
      unify: o.unify,
      prune: o.prune,
      scope: o.scope,
      mode,
      admmRounds: o.admmRounds,
      epochsPerRound: o.epochsPerRound,
      retrainEpochs: o.retrainEpochs,
      rho: o.rho,
      rhoGrowth: o.rhoGrowth,
      lr: o.lr,
      batchSize: o.batch,
      seed: o.seed,
      layers: plan.layers,
      evalDs: ctx.evalData,
      progress: ctx.progress,
      log: ctx.log,
    });
    const report: UnifyReport = {
      mode,
      accounting: res.accounting,
      rounds: res.rounds,
      epochs: res.epochs,
      ...(res.accuracy !== undefined ? { accuracy: res.accuracy } : {}),
    };
    return { graph: res.graph, report };
  },
};

export interface UnifyLowerPlan extends PlanHeader<UnifyLowerOptions> {
  layers: UnifyLoweredLayer[];
  /** With a measure batch: every candidate's dense and lowered time, and whether it stayed lowered. */
  decisions?: LowerDecision[];
  skipped: Record<string, string>;
}

/** `unify-lower` as a pass: the plan lists the layers rewritten (and why others were not). */
export const unifyLowerPass: Pass<UnifyLowerOptions, UnifyLowerPlan, { layers: UnifyLoweredLayer[] }> = {
  ...UNIFY_LOWER_SPEC,
  async plan(g, o) {
    const r = lowerUnified(g);
    const plan: UnifyLowerPlan = { pass: 'unify-lower', version: 1, options: o, layers: r.layers, skipped: r.skipped };
    if (!(o.measureBatch > 0)) return plan;
    const lowerOne = (one: Graph, node: string) => lowerUnified(one, [node]).graph;
    const candidates = r.layers.map((l) => l.node);
    const decisions = await measureLowering(g, candidates, lowerOne, { batch: o.measureBatch, runs: 15, margin: 0.05 });
    for (const d of decisions)
      if (!d.lowered)
        plan.skipped[d.node] =
          `lowered ran ${d.loweredMs!.toFixed(3)} ms, dense ${d.denseMs!.toFixed(3)} ms at batch ${o.measureBatch}: kept dense`;
    return { ...plan, layers: r.layers.filter((l) => !plan.skipped[l.node]), decisions };
  },
  apply(g, plan) {
    const r = lowerUnified(
      g,
      plan.layers.map((l) => l.node),
    );
    return { graph: r.graph, report: { layers: r.layers } };
  },
};
