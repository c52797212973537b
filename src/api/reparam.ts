/**
 * `reparam(graph, options)`: function-preserving rewrites (the output computes the same function as the
 * input, up to float rounding). The input graph is never modified.
 */
import type { Graph } from '../ir/graph.js';
import { foldBatchNorm } from '../passes/foldbn/index.js';
import { lopExpand } from '../passes/lop/expand.js';
import { lopMerge } from '../passes/lop/merge.js';
import { serializeResiduals } from '../passes/srn/index.js';
import type { ImportanceKind } from '../passes/tile/importance.js';
import { parsePattern, parseTile } from '../passes/tile/pattern.js';
import { tileTrans } from '../passes/tiletrans/index.js';

export type ReparamOptions =
  /** Permute channels so important rows share tiles (TileTrans). 'search' needs the tile/pattern and sparsity it optimises for. */
  | { transform: 'tiletrans'; mode?: 'sort' | 'search'; importance?: ImportanceKind; tile?: string; pattern?: string; sparsity?: number; skip?: string[] }
  /** Fold inference-mode BatchNormalization into the preceding Conv/Gemm. */
  | { transform: 'fold-bn' }
  /** Serialize residual blocks (SRN): no Add left, every channel prunable. */
  | { transform: 'srn' }
  /** Linear over-parameterization: each layer becomes three linear layers, r times wider inside. */
  | { transform: 'lop-expand'; rate?: number; seed?: number }
  /** Merge expanded (or, with allLinear, any mergeable) chains of linear layers back. */
  | { transform: 'lop-merge'; allLinear?: boolean };

export interface ReparamResult {
  graph: Graph;
  summary: Record<string, unknown>;
}

/**
 * Rewrite a model into an equivalent form.
 * @example
 * const { graph } = reparam(g, { transform: 'tiletrans' });            // then prune(graph, { method: 'tile', ... })
 * const wide = reparam(pruned, { transform: 'lop-expand', rate: 4 }).graph;
 */
export function reparam(g: Graph, o: ReparamOptions): ReparamResult {
  switch (o.transform) {
    case 'tiletrans': {
      const out = g.clone();
      const pattern = o.pattern ? parsePattern(o.pattern) ?? parseTile(o.tile ?? '128x1') : parseTile(o.tile ?? '128x1');
      const r = tileTrans(out, { mode: o.mode ?? 'sort', importance: o.importance ?? 'l1', pattern, sparsity: o.sparsity ?? 0.5, skip: o.skip });
      return { graph: out, summary: { transform: 'tiletrans', ...r } };
    }
    case 'fold-bn': {
      const r = foldBatchNorm(g);
      return { graph: r.graph, summary: { transform: 'fold-bn', folded: r.folded, remaining: r.remaining } };
    }
    case 'srn': {
      const r = serializeResiduals(g);
      return { graph: r.graph, summary: { transform: 'srn', serialized: r.serialized, kept: r.kept, foldedBn: r.foldedBn } };
    }
    case 'lop-expand': {
      const out = g.clone();
      const r = lopExpand(out, { rate: o.rate ?? 4, seed: o.seed ?? 0 });
      return { graph: out, summary: { transform: 'lop-expand', rate: o.rate ?? 4, expanded: r.expanded, skipped: r.skipped } };
    }
    case 'lop-merge': {
      const out = g.clone();
      const r = lopMerge(out, { onlyExpanded: !o.allLinear });
      return { graph: out, summary: { transform: 'lop-merge', merged: r.merged } };
    }
  }
}
