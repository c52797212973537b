/**
 * Structured channel pruning that physically shrinks the model: for every prunable coupled group,
 * choose the channels to keep (L1/L2 filter norm, random, REAP or NU), fold the removed channels into
 * the consumers (REAP/NU only), then cut every affected tensor with coupling's removeChannels.
 */
import { type ChannelGroup, removeChannels } from '../../analysis/coupling.js';
import type { Graph } from '../../ir/graph.js';
import type { Mat } from '../../linalg/index.js';
import { ReproError } from '../../util/errors.js';
import { randomSelect, rowNorms, selectByScore } from '../reap/baselines.js';
import { reapFast } from '../reap/fast.js';
import { nuSelect } from '../reap/nu.js';
import type { Fold, LayerProblem } from '../reap/types.js';
import { type GroupOptions, type GroupStatus, groupStatuses, keepCount } from './groups.js';
import { applyFold, consumersTakeBias, outgoingMatrix } from './outgoing.js';

export const PRUNE_CRITERIA = ['l1', 'l2', 'random', 'reap', 'nu'] as const;
export type PruneCriterion = (typeof PRUNE_CRITERIA)[number];

export function isBehaviourMethod(m: PruneCriterion): boolean {
  return m === 'reap' || m === 'nu';
}

export interface StructuredOptions {
  method: PruneCriterion;
  /** Fraction of channels removed in every prunable group (default 0). */
  ratio?: number;
  /** Per-group overrides, by group key (see groupKey). */
  ratios?: Record<string, number>;
  /** Keep channel counts multiples of K. */
  roundTo?: number;
  /** Producer node names (or group keys) to leave alone. */
  skip?: string[];
  /** Also cut LayerNorm-normalized groups (a transformer's hidden size). */
  pruneHidden?: boolean;
  seed?: number;
  /** Behaviour Grams by group key (with constant column), required for reap/nu. */
  grams?: Map<string, Mat>;
  ridge?: number;
}

export interface StructuredResult {
  graph: Graph;
  /** Achieved ratio per pruned group. */
  ratios: Record<string, number>;
  /** [before, after] channel count per pruned group. */
  channels: Record<string, [number, number]>;
  /** Groups left alone, with the reason. */
  skipped: Record<string, string>;
}

/** Per-channel L1 or L2 norm of the producers' weight rows (+ bias), summed over producers. */
export function filterScores(g: Graph, gr: ChannelGroup, kind: 'l1' | 'l2'): Float64Array {
  const s = new Float64Array(gr.size);
  for (const p of gr.producers) {
    const t = g.initializers.get(p.weight)!;
    const outer = t.dims.slice(0, p.axis).reduce((a, b) => a * b, 1);
    const inner = t.dims.slice(p.axis + 1).reduce((a, b) => a * b, 1);
    const len = t.dims[p.axis]!;
    const src = t.data as Float32Array;
    const rows = new Float64Array(gr.size * outer * inner);
    for (let c = 0; c < gr.size; c++) {
      let w = c * outer * inner;
      for (let o = 0; o < outer; o++)
        for (let e = 0; e < inner; e++) rows[w++] = src[(o * len + p.offset + c) * inner + e]!;
    }
    const norms = rowNorms(rows, gr.size, outer * inner, kind);
    for (let c = 0; c < gr.size; c++) s[c] += kind === 'l1' ? norms[c]! : norms[c]! ** 2;
  }
  if (kind === 'l2') for (let c = 0; c < gr.size; c++) s[c] = Math.sqrt(s[c]!);
  return s;
}

/** The REAP/NU layer problem of a group, from its Gram and the current consumer weights. */
export function layerProblem(g: Graph, gr: ChannelGroup, gramWithConst: Mat): LayerProblem {
  const weights = outgoingMatrix(g, gr);
  const n = gr.size;
  if (gramWithConst.rows !== n + 1)
    throw new ReproError(
      `group '${gr.producers[0]?.node}': calibration Gram is ${gramWithConst.rows}x${gramWithConst.rows}, expected ${n + 1}; recalibrate on this model`,
    );
  if (consumersTakeBias(gr, g)) return { gram: gramWithConst, withConst: true, weights };
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G[i * n + j] = gramWithConst.data[i * (n + 1) + j]!;
  return { gram: { rows: n, cols: n, data: G }, withConst: false, weights };
}

/** Which channels of one group to drop and how to fold them (no graph change). */
export function planGroup(g: Graph, st: GroupStatus, remove: number, opts: StructuredOptions): Fold {
  const gr = st.group;
  switch (opts.method) {
    case 'l1':
    case 'l2':
      return selectByScore(filterScores(g, gr, opts.method), remove);
    case 'random':
      return randomSelect(gr.size, remove, (opts.seed ?? 0) + gr.id);
    case 'reap':
    case 'nu': {
      const G = opts.grams?.get(st.key);
      if (!G) throw new ReproError(`--method ${opts.method}: no calibration data for group '${st.key}'`);
      const p = layerProblem(g, gr, G);
      return opts.method === 'reap'
        ? reapFast(p, remove, { ridge: opts.ridge })
        : nuSelect(p, remove, { ridge: opts.ridge });
    }
  }
}

/** One group's decision: which channels stay and how the removed ones fold into the consumers. */
export interface GroupCut {
  key: string;
  size: number;
  fold: Fold;
}

export interface ChannelSelection {
  cuts: GroupCut[];
  /** Achieved ratio per pruned group. */
  ratios: Record<string, number>;
  /** [before, after] channel count per pruned group. */
  channels: Record<string, [number, number]>;
  skipped: Record<string, string>;
  /** Channels in every group with a producer (cut, kept whole, fixed or skipped): what a ratio is a fraction of. */
  totalChannels: number;
}

/**
 * Decide every group's cut on `g`'s unpruned weights (no graph change). Folds of different groups touch disjoint
 * slices (a group's fold writes only its own consumer columns and those layers' biases), so deciding them all
 * before cutting is exact. Plans depend only on (group, count): `planCache` shares them across calls (PRO).
 */
export function selectChannels(g: Graph, opts: StructuredOptions & ReuseOptions): ChannelSelection {
  const sel: ChannelSelection = { cuts: [], ratios: {}, channels: {}, skipped: {}, totalChannels: 0 };
  for (const st of opts.statuses ??
    groupStatuses(g, { behaviour: isBehaviourMethod(opts.method), skip: opts.skip, pruneHidden: opts.pruneHidden })) {
    sel.totalChannels += Math.max(st.group.size, 0);
    if (st.reason) {
      sel.skipped[st.key] = st.reason;
      continue;
    }
    const r = opts.ratios?.[st.key] ?? opts.ratio ?? 0;
    if (!(r >= 0 && r < 1)) throw new ReproError(`pruning ratio ${r} for group '${st.key}': must be in [0, 1)`);
    const n = st.group.size;
    const k = keepCount(n, r, opts.roundTo, st.conv);
    if (r === 0 || k >= n) continue;
    const cacheKey = `${opts.method}:${st.key}:${k}`;
    let fold = opts.planCache?.get(cacheKey);
    if (!fold) {
      fold = planGroup(g, st, n - k, opts);
      opts.planCache?.set(cacheKey, fold);
    }
    sel.cuts.push({ key: st.key, size: n, fold });
    sel.ratios[st.key] = 1 - k / n;
    sel.channels[st.key] = [n, k];
  }
  return sel;
}

/**
 * What repeated calls on one model can share (PRO prunes the same model dozens of times): the folds by (group,
 * count), and the group analysis of the unpruned model (`groupStatuses` with the same behaviour/skip options).
 */
export interface ReuseOptions {
  planCache?: Map<string, Fold>;
  statuses?: GroupStatus[];
}

/** True when a cut may move other groups' channel offsets (Concat, split producers), so groups must be re-derived. */
function offsetsMayShift(statuses: GroupStatus[]): boolean {
  return statuses.some(
    (s) => s.group.consumers.some((c) => c.offset !== 0) || s.group.producers.some((p) => p.offset !== 0),
  );
}

/**
 * A copy of `g0` with the cuts made: folds written into the consumers first (REAP/NU), then channels removed group
 * by group. The input is untouched. `fold` only for the behaviour criteria (selection criteria drop channels).
 */
export function cutChannels(g0: Graph, cuts: GroupCut[], opts: GroupOptions & { statuses?: GroupStatus[] }): Graph {
  const g = g0.clone(true);
  // The copy has g0's structure, so g0's analysis (when given) describes it until the first cut.
  let statuses = opts.statuses ?? groupStatuses(g, opts);
  const find = (key: string) => {
    const st = statuses.find((s) => s.key === key);
    if (!st || st.reason)
      throw new ReproError(
        `channel plan: group '${key}' cannot be cut in this model (${st?.reason ?? 'no such group'}); the plan was made for another model`,
      );
    return st;
  };
  let biasAdded = false;
  for (const c of cuts) {
    const st = find(c.key);
    if (st.group.size !== c.size)
      throw new ReproError(
        `channel plan: group '${c.key}' has ${st.group.size} channels, the plan expects ${c.size}; the plan was made for another model`,
      );
    if (opts.behaviour && applyFold(g, st.group, c.fold)) biasAdded = true;
  }
  // A fold gave a bias-free consumer a bias (BatchNorm kept: convs have none); its output cut must slice it too.
  if (biasAdded) statuses = groupStatuses(g, opts);
  const regroup = offsetsMayShift(statuses);
  for (const c of cuts) {
    // removeChannels shifts Concat offsets of other groups; re-derive them only where that can happen.
    if (regroup) statuses = groupStatuses(g, opts);
    removeChannels(g, find(c.key).group, c.fold.keep);
  }
  return g;
}

/** Prune a copy of `g0` (select, then cut); the input graph is not modified. */
export function pruneStructured(g0: Graph, opts: StructuredOptions & ReuseOptions): StructuredResult {
  const sel = selectChannels(g0, opts);
  const graph = cutChannels(g0, sel.cuts, {
    behaviour: isBehaviourMethod(opts.method),
    skip: opts.skip,
    pruneHidden: opts.pruneHidden,
    statuses: opts.statuses,
  });
  return { graph, ratios: sel.ratios, channels: sel.channels, skipped: sel.skipped };
}
