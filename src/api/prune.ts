/**
 * `prune(graph, options)`: the pruning methods as one call, for the library and the CLI alike. Each method is a
 * short pipeline of registered passes — `tile`: [tiletrans] → tile → [tile-lower]; the channel criteria:
 * [srn] → channels — so the result carries the plan file that replays it. The input graph is never modified.
 */
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { type ModelTotals, modelMetrics } from '../analysis/metrics.js';
import { reasonSummary } from '../passes/cut/groups.js';
import type { ChannelsReport } from '../passes/channels/pass.js';
import type { PassContext } from '../passes/contract.js';
import type { OptionNamer } from '../passes/options.js';
import { byKey } from '../passes/options.js';
import {
  type PipelineResult,
  type PipelineStep,
  type PlanFile,
  planFile,
  planStep,
  runPipeline,
} from '../passes/pipeline.js';
import type { HeadsReport } from '../passes/heads/pass.js';
import type { SrnReport } from '../passes/srn/pass.js';
import type { TilePlanJson, TileReport } from '../passes/tile/pass.js';
import type { LoweredLayer } from '../passes/tile/lower.js';
import type { TileTransReport } from '../passes/tiletrans/index.js';
import { ReproError } from '../util/errors.js';

/** Unstructured-in-tiles pruning: zero the least important tiles of every Conv/Gemm/MatMul weight (GEMM view). */
export interface TilePruneApiOptions {
  method: 'tile';
  /** Fraction of prunable weights to zero, in [0, 1) (not for N:M patterns). */
  sparsity?: number;
  /** Tile shape 'HxW' in the GEMM view (default '128x1'). */
  tile?: string;
  /** 'element' or an N:M pattern such as '2:4' instead of tiles. */
  pattern?: string;
  importance?: 'l1' | 'l2' | 'taylor';
  scope?: 'global' | 'layer';
  /** Node names left dense ('first' / 'last' allowed). */
  skip?: string[];
  /** Permute channels first (TileTrans): true / 'sort' (the paper) or 'search' (ours). */
  tiletrans?: boolean | 'sort' | 'search';
  /** Rewrite pruned layers into dense ops over the surviving tiles (faster in ORT). */
  lower?: boolean;
  /** With `lower`: time each layer dense vs lowered at this batch and keep only the faster (recorded in the plan). */
  measureBatch?: number;
  /** Taylor importance: training samples (default 512) and their shuffle seed. */
  calib?: number;
  seed?: number;
  /** Training data for Taylor importance. */
  data?: Dataset;
}

/** Channel pruning that physically shrinks layers: give `ratio` (uniform) or a budget (PRO picks per-group ratios). */
export interface StructuredPruneApiOptions {
  method: 'l1' | 'l2' | 'random' | 'reap' | 'nu';
  /** Fraction of channels removed in every prunable group. */
  ratio?: number;
  /** PRO: keep at most this fraction of the dense MACs (`budget` is the same, kept for older code). */
  budgetMacs?: number;
  budget?: number;
  /** PRO: keep at most this fraction of the parameters. */
  budgetParams?: number;
  /** PRO: step per proposal, fraction of a group (default 0.05). */
  proStep?: number;
  /** PRO: samples each evaluation's logit error is measured on (default 128). */
  proSamples?: number;
  /** Serialize residual blocks first (SRN) so every layer is prunable. */
  srn?: boolean;
  /**
   * First remove this fraction of the heads of every attention block (the `heads` pass, same criterion: l1 or reap);
   * a budget stays a fraction of the input model's cost.
   */
  heads?: number;
  /** Calibration data: required for 'reap' / 'nu' and for a budget. */
  data?: Dataset;
  /** Calibration samples used from `data` (default 2000; `calibSamples` is the same). */
  calib?: number;
  calibSamples?: number;
  skip?: string[];
  /** Also cut channels a LayerNorm normalizes (a transformer's hidden size); changes the statistics, so fine-tune after. */
  pruneHidden?: boolean;
  /** Keep every cut group's channel count a multiple of this (ORT's blocked conv kernels prefer multiples of 8); 0 = by width (`channelUnit`). */
  roundTo?: number;
  /** Fold the BatchNormalization nodes pruning leaves into their convs (a fold-bn step after channels). */
  foldBn?: boolean;
  seed?: number;
  log?: (line: string) => void;
}

export type PruneOptions = TilePruneApiOptions | StructuredPruneApiOptions;

export interface TileSummary extends TileReport {
  method: 'tile';
  tiletrans?: Omit<TileTransReport, 'fixed'> & { fixed: number; importanceKept: Record<string, number> };
  lowered?: LoweredLayer[];
}

export interface StructuredSummary extends ChannelsReport {
  method: StructuredPruneApiOptions['method'];
  srn?: { serialized: number; keptAdds: SrnReport['keptAdds']; foldedBn: number };
  /** [before, after] heads per attention block (with `heads`). */
  heads?: Record<string, [number, number]>;
  macsBefore: number;
  macsAfter: number;
  paramsBefore: number;
  paramsAfter: number;
  /** False when some layer's MACs depend on symbolic dims (then macsBefore/After are not the whole model's). */
  macsComplete: boolean;
  message: string;
  /** Said when the prune removed nothing or far less than asked, and why (also printed on stderr by the CLI). */
  warnings: string[];
}

export interface PruneResult<S = TileSummary | StructuredSummary> {
  graph: Graph;
  summary: S;
  /** Replays this run on the same input model (`reprune prune --plan`, or `applyPlan`). */
  plan: PlanFile;
}

const drop = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function tileSteps(o: TilePruneApiOptions): PipelineStep[] {
  const shared = drop({
    importance: o.importance,
    tile: o.tile,
    pattern: o.pattern,
    scope: o.scope,
    skip: o.skip,
    calib: o.calib,
    seed: o.seed,
  });
  const steps: PipelineStep[] = [];
  if (o.tiletrans)
    steps.push({
      pass: 'tiletrans',
      options: { ...shared, mode: o.tiletrans === true ? 'sort' : o.tiletrans, ...drop({ sparsity: o.sparsity }) },
    });
  steps.push({ pass: 'tile', options: { ...shared, ...drop({ sparsity: o.sparsity }) } });
  if (o.lower) steps.push({ pass: 'tile-lower', options: drop({ measureBatch: o.measureBatch }) });
  return steps;
}

function channelSteps(o: StructuredPruneApiOptions, referenceCost: number | undefined): PipelineStep[] {
  const budgetMacs = o.budgetMacs ?? o.budget;
  const options = drop({
    criterion: o.method,
    ratio: o.ratio,
    budgetMacs,
    budgetParams: o.budgetParams,
    proStep: o.proStep,
    proSamples: o.proSamples,
    roundTo: o.roundTo,
    skip: o.skip,
    pruneHidden: o.pruneHidden,
    seed: o.seed,
    calib: o.calib ?? o.calibSamples,
    referenceCost: budgetMacs !== undefined || o.budgetParams !== undefined ? referenceCost : undefined,
  });
  return [
    ...(o.srn ? [{ pass: 'srn' }] : []),
    ...(o.heads !== undefined ? [headsStep(o)] : []),
    { pass: 'channels', options },
    ...(o.foldBn ? [{ pass: 'fold-bn' }] : []),
  ];
}

/** The `heads` step of a structured prune: heads have an L1 and a REAP criterion only. */
function headsStep(o: StructuredPruneApiOptions): PipelineStep {
  if (o.method !== 'l1' && o.method !== 'reap')
    throw new ReproError(`heads: --method ${o.method} has no head criterion; use --method l1 or reap with --heads`);
  return {
    pass: 'heads',
    options: drop({ criterion: o.method, ratio: o.heads, calib: o.calib ?? o.calibSamples, seed: o.seed }),
  };
}

/** The passes a prune call runs, in order (what `--save-plan` will hold). */
export function pruneSteps(o: PruneOptions, input?: Graph): PipelineStep[] {
  if (o.method === 'tile') return tileSteps(o);
  const s = o as StructuredPruneApiOptions;
  // With SRN or heads first, a budget is a fraction of the *input* model's cost, not of the one the channels see.
  const first = s.srn || s.heads !== undefined;
  const ref = first && input ? modelMetrics(input).totals[s.budgetParams !== undefined ? 'params' : 'macs'] : undefined;
  return channelSteps(s, ref);
}

function reportOf<R>(r: PipelineResult, pass: string): R | undefined {
  return r.reports.find((x) => x.pass === pass)?.report as R | undefined;
}

async function tileSummary(
  g: Graph,
  o: TilePruneApiOptions,
  r: PipelineResult,
  ctx: PassContext,
): Promise<TileSummary> {
  const tile = reportOf<TileReport>(r, 'tile')!;
  const tt = reportOf<TileTransReport>(r, 'tiletrans');
  const lowered = reportOf<{ layers: LoweredLayer[] }>(r, 'tile-lower');
  const s: TileSummary = { method: 'tile', ...tile };
  if (tt) {
    // What TileTrans bought: the same pruning on the unpermuted model keeps this much importance. Planned only:
    // the masked copy it would build is never used (a whole model's worth of memory and time at size).
    const step = { pass: 'tile', options: tileSteps({ ...o, tiletrans: false, lower: false })[0]!.options };
    const identity = ((await planStep(g, step, ctx)) as TilePlanJson).report.importanceKept;
    s.tiletrans = { ...tt, fixed: tt.fixed.length, importanceKept: { identity, [tt.mode]: tile.importanceKept } };
  }
  if (lowered) s.lowered = lowered.layers;
  return s;
}

/** Removed less than half of what a uniform ratio asked for (or nothing at all): say so, and what held it back. */
export function shortfallWarnings(o: StructuredPruneApiOptions, ch: ChannelsReport): string[] {
  const removed = Object.values(ch.channels).reduce((a, [b, k]) => a + b - k, 0);
  const total = ch.totalChannels ?? 0;
  const fixed = Object.values(ch.skipped);
  const why = fixed.length
    ? `${fixed.length} of ${fixed.length + Object.keys(ch.channels).length} channel groups cannot be cut: ${reasonSummary(fixed)}`
    : 'no group had channels to spare at this ratio';
  const asked = o.ratio ?? 0;
  const budget = o.budgetMacs ?? o.budget ?? o.budgetParams ?? 1;
  if (removed === 0 && (asked > 0 || budget < 1)) return [`removed nothing: ${why}`];
  if (asked > 0 && total > 0 && removed / total < asked / 2)
    return [
      `removed ${((100 * removed) / total).toFixed(1)}% of the model's channels, asked for ${(100 * asked).toFixed(1)}%: ${why}`,
    ];
  return [];
}

function macsMessage(before: ModelTotals, after: ModelTotals): string {
  if (!before.macsComplete) return `MACs not counted (${before.macsMissing ?? 'some shapes are unknown'})`;
  return `MACs ${before.macs} → ${after.macs} (${(100 * (1 - after.macs / before.macs)).toFixed(1)}% fewer)`;
}

function structuredSummary(g: Graph, o: StructuredPruneApiOptions, r: PipelineResult): StructuredSummary {
  const before = modelMetrics(g).totals;
  const after = modelMetrics(r.graph).totals;
  const ch = reportOf<ChannelsReport>(r, 'channels')!;
  const srn = reportOf<SrnReport>(r, 'srn');
  const heads = reportOf<HeadsReport>(r, 'heads');
  const warnings = shortfallWarnings(o, ch);
  return {
    method: o.method,
    ...(srn ? { srn: { serialized: srn.serialized.length, keptAdds: srn.keptAdds, foldedBn: srn.foldedBn } } : {}),
    ...(heads ? { heads: heads.heads } : {}),
    macsBefore: before.macs,
    macsAfter: after.macs,
    paramsBefore: before.params,
    paramsAfter: after.params,
    macsComplete: before.macsComplete && after.macsComplete,
    ...ch,
    message: `${macsMessage(before, after)}, params ${before.params} → ${after.params}`,
    warnings,
  };
}

/**
 * Prune a model.
 * @example
 * const tiled = await prune(g, { method: 'tile', sparsity: 0.7, tile: '32x32', tiletrans: true });
 * const reap = await prune(g, { method: 'reap', budgetMacs: 0.5, data: loadDataset('mnist', 'train', { limit: 2000 }) });
 */
export async function prune(
  g: Graph,
  o: TilePruneApiOptions,
  ctx?: PassContext,
  namer?: OptionNamer,
): Promise<PruneResult<TileSummary>>;
export async function prune(
  g: Graph,
  o: StructuredPruneApiOptions,
  ctx?: PassContext,
  namer?: OptionNamer,
): Promise<PruneResult<StructuredSummary>>;
export async function prune(g: Graph, o: PruneOptions, ctx?: PassContext, namer?: OptionNamer): Promise<PruneResult>;
export async function prune(
  g: Graph,
  o: PruneOptions,
  ctx: PassContext = {},
  namer: OptionNamer = byKey,
): Promise<PruneResult> {
  if (!o || typeof o !== 'object' || typeof o.method !== 'string')
    throw new ReproError("prune: options need a method ('tile', 'l1', 'l2', 'random', 'reap' or 'nu')");
  const c: PassContext = { ...ctx, data: ctx.data ?? o.data, log: ctx.log ?? (o as StructuredPruneApiOptions).log };
  const r = await runPipeline(g, pruneSteps(o, g), c, namer);
  const summary = o.method === 'tile' ? await tileSummary(g, o, r, c) : structuredSummary(g, o, r);
  return { graph: r.graph, summary, plan: planFile(g, r.plans) };
}
