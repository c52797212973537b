/**
 * `tedepr` as a pass: the plan holds the resolved TT rank and the exact pruning-at-init masks (base64 bit sets per
 * tensor); apply rebuilds the same TT model from the seed, applies them and trains on `ctx.data` from scratch.
 */
import type { Graph } from '../../ir/graph.js';
import { ReproError } from '../../util/errors.js';
import { packBits, unpackBits } from '../../util/pack.js';
import type { Pass, PlanHeader } from '../contract.js';
import { needData } from '../contract.js';
import type { Masks } from '../pai/index.js';
import { planTedepr, type TedeprDecision, type TedeprOptions, type TedeprResult, trainTedepr } from './pipeline.js';
import { TEDEPR_SPEC, type TedeprPassOptions } from './spec.js';

export type TedeprReport = Omit<TedeprResult, 'graph'>;

export interface TedeprPlan extends PlanHeader<TedeprPassOptions> {
  decision: Omit<TedeprDecision, 'masks'> & { masks?: Record<string, { size: number; keep: string }> };
}

function intOrAuto(flag: string, v: string, lo: number): number | 'auto' {
  if (v === 'auto') return 'auto';
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo) throw new ReproError(`${flag} ${v}: expected an integer >= ${lo} or 'auto'`);
  return n;
}

/** Pass options → pipeline options. */
export function tedeprOptions(
  o: TedeprPassOptions,
  extra: Pick<TedeprOptions, 'log' | 'progress' | 'arch'> = {},
): TedeprOptions {
  if (o.dense && o.ttRank !== TEDEPR_DEFAULT_RANK)
    throw new ReproError('--dense and --tt-rank exclude each other; pick one');
  return {
    sparsity: o.sparsity,
    score: o.score,
    ttRank: o.dense ? undefined : intOrAuto('--tt-rank', o.ttRank, 1),
    ringRank: o.trRank,
    ttCores: intOrAuto('--tt-cores', o.ttCores, 2),
    ttForm: o.ttForm,
    ttFormBatch: o.ttFormBatch,
    epochs: o.epochs,
    batchSize: o.batch,
    lr: o.lr,
    optimizer: o.optimizer,
    seed: o.seed,
    scope: o.scope,
    rounds: o.rounds,
    reinit: o.reinit,
    shuffle: o.shuffle,
    ...extra,
  };
}

const TEDEPR_DEFAULT_RANK = TEDEPR_SPEC.options.ttRank.default;

function packMasks(m: Masks | undefined) {
  return m && Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { size: v.length, keep: packBits(v) }]));
}

function unpackMasks(m: TedeprPlan['decision']['masks']): Masks | undefined {
  return (
    m &&
    Object.fromEntries(
      Object.entries(m).map(([k, v]) => [k, unpackBits(v.keep, v.size, `tedepr plan, mask of '${k}'`)]),
    )
  );
}

export const tedeprPass: Pass<TedeprPassOptions, TedeprPlan, TedeprReport> = {
  ...TEDEPR_SPEC,
  async plan(g: Graph, o, ctx) {
    const d = await planTedepr(
      g,
      needData(ctx, 'tedepr (scores and training)', 'training'),
      tedeprOptions(o, { log: ctx.log }),
    );
    const { masks, ...rest } = d;
    return {
      pass: 'tedepr',
      version: 1,
      options: o,
      decision: { ...rest, ...(masks ? { masks: packMasks(masks) } : {}) },
    };
  },
  async apply(g, plan, ctx) {
    const decision: TedeprDecision = { ...plan.decision, masks: unpackMasks(plan.decision.masks) };
    const { graph, ...report } = await trainTedepr(
      g,
      decision,
      needData(ctx, 'tedepr', 'training'),
      ctx.evalData,
      tedeprOptions(plan.options, { progress: ctx.progress }),
    );
    return { graph, report };
  },
};
