/**
 * Importance kept after pruning without TileTrans (identity), with the paper's sort, and with our
 * search — per layer and in total — on clones of the graph (the input graph is not modified).
 */
import type { Graph } from '../ir/graph.js';
import type { GradMap } from '../passes/importance/element.js';
import { planTilePrune, type TilePlan, type TilePruneOptions } from '../passes/tile/prune.js';
import { tileTrans } from '../passes/tiletrans/index.js';

export interface KeptRow {
  node: string;
  identity: number;
  sort: number;
  search: number;
}

export interface KeptComparison {
  layers: KeptRow[];
  total: { identity: number; sort: number; search: number };
  ms: { sort: number; search: number };
  plans: { identity: TilePlan; sort: TilePlan; search: TilePlan };
  graphs: { sort: Graph; search: Graph };
  /** Taylor gradients of the permuted graphs (when opts.grads was given). */
  grads?: { sort: GradMap; search: GradMap };
}

export function compareTileTrans(g: Graph, opts: TilePruneOptions): KeptComparison {
  const identity = planTilePrune(g, opts);
  const rs = tileTrans(g, { mode: 'sort', importance: opts.importance, skip: opts.skip, grads: opts.grads });
  const sort = planTilePrune(rs.graph, { ...opts, grads: rs.grads });
  const rq = tileTrans(g, {
    mode: 'search',
    importance: opts.importance,
    pattern: opts.pattern,
    sparsity: opts.sparsity,
    scope: opts.scope,
    skip: opts.skip,
    grads: opts.grads,
  });
  const search = planTilePrune(rq.graph, { ...opts, grads: rq.grads });
  return {
    layers: identity.layers.map((l, i) => ({
      node: l.node,
      identity: l.importanceKept,
      sort: sort.layers[i]!.importanceKept,
      search: search.layers[i]!.importanceKept,
    })),
    total: { identity: identity.importanceKept, sort: sort.importanceKept, search: search.importanceKept },
    ms: { sort: rs.report.ms, search: rq.report.ms },
    plans: { identity, sort, search },
    graphs: { sort: rs.graph, search: rq.graph },
    ...(rs.grads && rq.grads ? { grads: { sort: rs.grads, search: rq.grads } } : {}),
  };
}

/** Markdown table of a comparison (percentages). */
export function keptTable(c: KeptComparison): string {
  const pct = (x: number) => (100 * x).toFixed(2);
  const lines = ['| layer | identity % | sort % | search % |', '|---|---:|---:|---:|'];
  for (const l of c.layers) lines.push(`| ${l.node} | ${pct(l.identity)} | ${pct(l.sort)} | ${pct(l.search)} |`);
  lines.push(`| **total** | ${pct(c.total.identity)} | ${pct(c.total.sort)} | ${pct(c.total.search)} |`);
  return lines.join('\n');
}
