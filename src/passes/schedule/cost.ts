/**
 * Analytic MACs / params of a model as a function of the channel count kept in each group: every
 * weighted layer scales with (kept inputs / inputs) × (kept outputs / outputs). Lets PRO and the
 * ratio search price thousands of candidate configurations without rebuilding graphs; the final
 * numbers reported to users come from modelMetrics on the real pruned graph.
 */
import type { Graph } from '../../ir/graph.js';
import { modelMetrics } from '../../analysis/metrics.js';
import { type GroupStatus, keepCount } from '../cut/groups.js';

export interface CostModel {
  macs(kept: Map<string, number>): number;
  params(kept: Map<string, number>): number;
  totalMacs: number;
  totalParams: number;
}

export function costModel(g: Graph, statuses: GroupStatus[]): CostModel {
  const m = modelMetrics(g);
  const outOf = new Map<string, GroupStatus>();
  const inOf = new Map<string, GroupStatus>();
  for (const s of statuses) {
    for (const p of s.group.producers) outOf.set(p.node, s);
    for (const c of s.group.consumers) inOf.set(c.node, s);
  }
  const layers = m.layers.map((l) => ({
    macs: l.macs ?? 0,
    params: l.params,
    out: outOf.get(l.name),
    inp: inOf.get(l.name),
  }));
  const layerParams = layers.reduce((a, l) => a + l.params, 0);
  // MACs outside weight layers (attention's activation MatMuls) are counted unscaled, as params outside them are.
  const otherMacs = m.totals.macs - layers.reduce((a, l) => a + l.macs, 0);
  const frac = (s: GroupStatus | undefined, kept: Map<string, number>) =>
    s ? (kept.get(s.key) ?? s.group.size) / s.group.size : 1;
  const sum = (kept: Map<string, number>, pick: (l: (typeof layers)[number]) => number) =>
    layers.reduce((a, l) => a + pick(l) * frac(l.out, kept) * frac(l.inp, kept), 0);
  return {
    macs: (kept) => sum(kept, (l) => l.macs) + otherMacs,
    // Non-layer params (BN γ/β) are counted unscaled: a slight over-estimate.
    params: (kept) => sum(kept, (l) => l.params) + (m.totals.params - layerParams),
    totalMacs: m.totals.macs,
    totalParams: m.totals.params,
  };
}

/** Channels each prunable group keeps at one uniform ratio (the counts a cut at that ratio keeps). */
export function uniformCounts(prunable: GroupStatus[], ratio: number, roundTo = 1): Map<string, number> {
  return new Map(prunable.map((s) => [s.key, keepCount(s.group.size, ratio, roundTo, s.conv)]));
}

/** Uniform ratio over the prunable groups that reaches `keepFraction` of the MACs (bisection). */
export function ratioForMacs(cm: CostModel, prunable: GroupStatus[], keepFraction: number, roundTo = 1): number {
  const at = (r: number) => cm.macs(uniformCounts(prunable, r, roundTo));
  return ratioForCost(at, keepFraction * cm.totalMacs);
}

/** The smallest ratio in [0, 0.99] whose cost is within `target` (bisection; cost falls as the ratio grows). */
export function ratioForCost(cost: (ratio: number) => number, target: number): number {
  let lo = 0,
    hi = 0.99;
  if (cost(hi) > target) return hi;
  for (let it = 0; it < 40; it++) {
    const mid = (lo + hi) / 2;
    if (cost(mid) > target) lo = mid;
    else hi = mid;
  }
  return hi;
}
