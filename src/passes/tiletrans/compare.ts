/**
 * Importance kept after pruning without TileTrans (identity), with the paper's sort, and with our
 * search — per layer and in total — on clones of the graph (the input graph is not modified).
 */
import type { Graph } from '../../ir/graph.js';
import type { GradMap } from '../tile/importance.js';
import { planTilePrune, type TilePlan, type TilePruneOptions } from '../tile/prune.js';
import { tileTrans } from './index.js';

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
  const gs = g.clone();
  const gradsS = opts.grads && new Map(opts.grads);
  const rs = tileTrans(gs, { mode: 'sort', importance: opts.importance, skip: opts.skip, grads: gradsS });
  const sort = planTilePrune(gs, { ...opts, grads: gradsS });
  const gq = g.clone();
  const gradsQ = opts.grads && new Map(opts.grads);
  const rq = tileTrans(gq, { mode: 'search', importance: opts.importance, pattern: opts.pattern, sparsity: opts.sparsity, scope: opts.scope, skip: opts.skip, grads: gradsQ });
  const search = planTilePrune(gq, { ...opts, grads: gradsQ });
  return {
    layers: identity.layers.map((l, i) => ({ node: l.node, identity: l.importanceKept, sort: sort.layers[i]!.importanceKept, search: search.layers[i]!.importanceKept })),
    total: { identity: identity.importanceKept, sort: sort.importanceKept, search: search.importanceKept },
    ms: { sort: rs.ms, search: rq.ms },
    plans: { identity, sort, search },
    graphs: { sort: gs, search: gq },
    ...(gradsS && gradsQ ? { grads: { sort: gradsS, search: gradsQ } } : {}),
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
