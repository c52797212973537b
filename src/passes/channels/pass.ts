/**
 * `channels` as a pass. The plan names every cut group by key with the channels it keeps and, for REAP/NU, the
 * fold coefficients (float64, base64) that carry the removed channels into the survivors; PRO's per-group ratios
 * and the numbers it chose them by are recorded too. Replaying a plan needs no calibration data.
 */
import { unshareInitializers } from '../../analysis/unshare.js';
import { completeShapes } from '../../runtime/shapes.js';
import { take } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import { ReproError } from '../../util/errors.js';
import { packF64, unpackF64 } from '../../util/pack.js';
import type { Pass, PassContext, PlanHeader } from '../contract.js';
import { needData } from '../contract.js';
import type { Fold } from '../reap/types.js';
import { runPro } from '../schedule/pro.js';
import { groupGrams } from '../cut/behaviours.js';
import { type GroupCut, cutChannels, isBehaviourMethod, selectChannels } from '../cut/prune.js';
import { CHANNELS_SPEC, type ChannelsOptions } from './spec.js';

export interface SavedCut {
  group: string;
  size: number;
  keep: number[];
  /** REAP/NU: removed channels, and keep × removed fold coefficients plus the bias row (base64 float64). */
  removed?: number[];
  coef?: string;
  bias?: string;
}

export interface ProSummary {
  ratios: Record<string, number>;
  evaluations: number;
  logitError: number;
  /** One uniform ratio beat the searched allocation on the PRO samples and was used instead. */
  uniform: boolean;
  macs: number;
  params: number;
}

export interface ChannelsReport {
  criterion: ChannelsOptions['criterion'];
  ratios: Record<string, number>;
  channels: Record<string, [number, number]>;
  skipped: Record<string, string>;
  /** Channels of every group with a producer, prunable or not (absent in plans saved before it existed). */
  totalChannels?: number;
  pro?: ProSummary;
}

export interface ChannelsPlan extends PlanHeader<ChannelsOptions> {
  cuts: SavedCut[];
  report: ChannelsReport;
}

/** Only the removed columns of a fold's transform carry information: the kept block is the identity. */
function saveCut(c: GroupCut, behaviour: boolean): SavedCut {
  const base = { group: c.key, size: c.size, keep: [...c.fold.keep] };
  if (!behaviour) return base;
  const { keep, removed, transform, constRow } = c.fold;
  const n = c.size;
  const coef = new Float64Array(keep.length * removed.length);
  keep.forEach((j, k) => {
    for (let i = 0; i < n; i++) {
      const v = transform.data[k * n + i]!;
      if (i === j ? v !== 1 : v !== 0 && !removed.includes(i))
        throw new Error(`internal: fold of '${c.key}' mixes kept channels`);
    }
    removed.forEach((r, x) => {
      coef[k * removed.length + x] = transform.data[k * n + r]!;
    });
  });
  return { ...base, removed: [...removed], coef: packF64(coef), bias: packF64(removed.map((r) => constRow[r]!)) };
}

function loadCut(s: SavedCut): GroupCut {
  const n = s.size,
    removed = s.removed ?? [];
  const what = `channel plan, group '${s.group}'`;
  if (s.keep.some((k) => !Number.isInteger(k) || k < 0 || k >= n))
    throw new ReproError(`${what}: keep indices out of range`);
  const coef = s.coef ? unpackF64(s.coef, s.keep.length * removed.length, what) : undefined;
  const bias = s.bias ? unpackF64(s.bias, removed.length, what) : undefined;
  const transform = new Float64Array(s.keep.length * n);
  s.keep.forEach((j, k) => {
    transform[k * n + j] = 1;
    removed.forEach((r, x) => {
      transform[k * n + r] = coef ? coef[k * removed.length + x]! : 0;
    });
  });
  const constRow = new Float64Array(n);
  removed.forEach((r, x) => {
    constRow[r] = bias?.[x] ?? 0;
  });
  const fold: Fold = {
    keep: [...s.keep],
    removed: [...removed],
    transform: { rows: s.keep.length, cols: n, data: transform },
    constRow,
    costs: [],
  };
  return { key: s.group, size: n, fold };
}

function budgetOf(o: ChannelsOptions): { budget: number; kind: 'macs' | 'params' } | undefined {
  const given = [o.ratio, o.budgetMacs, o.budgetParams].filter((v) => v !== undefined).length;
  if (given !== 1)
    throw new ReproError(
      `--method ${o.criterion}: give exactly one of --ratio R (uniform) or --budget-macs F / --budget-params F (PRO)`,
    );
  if (o.budgetMacs !== undefined) return { budget: o.budgetMacs, kind: 'macs' };
  if (o.budgetParams !== undefined) return { budget: o.budgetParams, kind: 'params' };
  return undefined;
}

async function proRatios(
  g: Graph,
  o: ChannelsOptions,
  ctx: PassContext,
  b: { budget: number; kind: 'macs' | 'params' },
  grams: Awaited<ReturnType<typeof groupGrams>> | undefined,
) {
  const ds = needData(ctx, `--method ${o.criterion} with a PRO budget`, 'calibration');
  const pro = await runPro(g, ds, {
    method: o.criterion,
    budget: b.budget,
    budgetKind: b.kind,
    grams,
    roundTo: o.roundTo,
    skip: o.skip,
    pruneHidden: o.pruneHidden,
    seed: o.seed,
    step: o.proStep,
    evalSamples: o.proSamples,
    referenceCost: o.referenceCost,
    log: ctx.log,
  });
  ctx.log?.(
    `PRO ratios (${pro.evaluations} evaluations): ${Object.entries(pro.ratios)
      .map(([k, r]) => `${k}=${r.toFixed(3)}`)
      .join(' ')}`,
  );
  return pro;
}

export const channelsPass: Pass<ChannelsOptions, ChannelsPlan, ChannelsReport> = {
  ...CHANNELS_SPEC,
  async plan(g0, o, ctx) {
    // Exporters share identical initializers between layers; each layer gets its own before anything is cut.
    const g = unshareInitializers(g0);
    const b = budgetOf(o);
    const behaviour = isBehaviourMethod(o.criterion);
    const ds = behaviour ? needData(ctx, `--method ${o.criterion}`, 'calibration') : undefined;
    const grams = ds
      ? await groupGrams(g, take(ds, Math.min(ds.count, o.calib)), {
          samples: o.calib,
          skip: o.skip,
          seed: o.seed,
          log: ctx.log,
        })
      : undefined;
    const pro = b ? await proRatios(g, o, ctx, b, grams) : undefined;
    const sel = selectChannels(g, {
      method: o.criterion,
      ratio: o.ratio,
      ratios: pro?.ratios,
      roundTo: o.roundTo,
      skip: o.skip,
      pruneHidden: o.pruneHidden,
      seed: o.seed,
      grams,
    });
    const report: ChannelsReport = {
      criterion: o.criterion,
      ratios: sel.ratios,
      channels: sel.channels,
      skipped: sel.skipped,
      totalChannels: sel.totalChannels,
      ...(pro
        ? {
            pro: {
              ratios: pro.ratios,
              evaluations: pro.evaluations,
              logitError: pro.logitError,
              uniform: pro.uniform,
              macs: pro.macs,
              params: pro.params,
            },
          }
        : {}),
    };
    return { pass: 'channels', version: 1, options: o, cuts: sel.cuts.map((c) => saveCut(c, behaviour)), report };
  },
  async apply(g, plan) {
    const behaviour = isBehaviourMethod(plan.options.criterion);
    const { skip, pruneHidden } = plan.options;
    const graph = cutChannels(unshareInitializers(g), plan.cuts.map(loadCut), { behaviour, skip, pruneHidden });
    // Ops without a shape rule whose channels were cut (a LayerNorm, a Resize) need their shapes learned again.
    await completeShapes(graph);
    return { graph, report: plan.report };
  },
};
