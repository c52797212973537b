/**
 * The efficacy of a channel permutation for N:M sparsity (Pool & Yu, "Channel Permutations for N:M Sparsity",
 * NeurIPS 2021): how much of the importance an unconstrained magnitude mask would keep over plain N:M the
 * permutation recovers, (kept after permutation − kept without) / (kept unconstrained − kept without). Per layer
 * and overall (importance-weighted); null where N:M already keeps what the unconstrained mask keeps.
 */
import type { Graph } from '../../ir/graph.js';
import type { Pattern } from '../tile/pattern.js';
import { layerImportance, planTilePrune, prunableLayers } from '../tile/prune.js';

export interface EfficacyLayer {
  node: string;
  /** Fractions of the layer's importance kept: plain N:M, N:M after the permutation, unconstrained magnitude. */
  without: number;
  permuted: number;
  unconstrained: number;
  efficacy: number | null;
}

export interface Efficacy {
  layers: EfficacyLayer[];
  overall: number | null;
}

const ratio = (num: number, den: number) => (den > 1e-12 ? num / den : null);

/** Efficacy of `permuted` (a function-preserving permutation of `dense`) for the N:M pattern `nm`. */
export function nmEfficacy(dense: Graph, permuted: Graph, nm: Pattern & { kind: 'nm' }, skip: string[] = []): Efficacy {
  const sparsity = 1 - nm.n / nm.m;
  const plain = planTilePrune(dense, { pattern: nm, sparsity, skip, scope: 'layer' });
  const perm = planTilePrune(permuted, { pattern: nm, sparsity, skip, scope: 'layer' });
  const free = planTilePrune(dense, { pattern: { kind: 'tile', th: 1, tw: 1 }, sparsity, skip, scope: 'layer' });
  const totals = prunableLayers(dense, skip).map((v) => layerImportance(dense, v).reduce((a, b) => a + b, 0));
  let num = 0;
  let den = 0;
  const layers = plain.layers.map((l, i) => {
    const p = perm.layers[i]!.importanceKept;
    const u = free.layers[i]!.importanceKept;
    num += (p - l.importanceKept) * totals[i]!;
    den += (u - l.importanceKept) * totals[i]!;
    return {
      node: l.node,
      without: l.importanceKept,
      permuted: p,
      unconstrained: u,
      efficacy: ratio(p - l.importanceKept, u - l.importanceKept),
    };
  });
  return { layers, overall: ratio(num, den) };
}
