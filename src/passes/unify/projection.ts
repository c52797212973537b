import { applyBlockStates, blockCosts, type BlockGrid } from './blocks.js';
import { selectBlockStates } from './select.js';

export interface UnifyTarget {
  /** Fraction of blocks unified. */
  unify: number;
  /** Fraction of blocks pruned. */
  prune: number;
  /** Fractions per layer (each layer exactly), or over all layers' blocks together. */
  scope: 'layer' | 'global';
}

/**
 * Π_S: the states (free/unified/pruned per block) of the Euclidean projection of every layer's matrix onto
 * the constraint set. Counts are round(fraction · blocks), per layer or over all blocks.
 */
export function projectionStates(mats: ArrayLike<number>[], grids: BlockGrid[], t: UnifyTarget): Uint8Array[] {
  return statesFromCosts(
    mats.map((m, i) => blockCosts(m, grids[i]!)),
    grids,
    t,
  );
}

/** Block costs of every layer (`blockCosts`): all Π_S needs, so callers need not hold every matrix at once. */
export type LayerCosts = ReturnType<typeof blockCosts>;

/** `projectionStates` from the layers' block costs. */
export function statesFromCosts(costs: LayerCosts[], grids: BlockGrid[], t: UnifyTarget): Uint8Array[] {
  if (t.scope === 'layer') {
    return costs.map((c, i) => {
      const n = grids[i]!.count;
      const [nu, np] = counts(n, t);
      return selectBlockStates(c.unify, c.prune, nu, np);
    });
  }
  const total = grids.reduce((s, g) => s + g.count, 0);
  const unify = new Float64Array(total);
  const prune = new Float64Array(total);
  let off = 0;
  for (const c of costs) {
    unify.set(c.unify, off);
    prune.set(c.prune, off);
    off += c.unify.length;
  }
  const [nu, np] = counts(total, t);
  const all = selectBlockStates(unify, prune, nu, np);
  off = 0;
  return grids.map((g) => {
    const s = all.slice(off, off + g.count);
    off += g.count;
    return s;
  });
}

/** Block counts for a target: rounded, and never more than n blocks in all. */
export function counts(n: number, t: Pick<UnifyTarget, 'unify' | 'prune'>): [number, number] {
  const np = Math.min(n, Math.round(t.prune * n));
  const nu = Math.min(n - np, Math.round(t.unify * n));
  return [nu, np];
}

/** Project matrices (copies) onto the constraint set; returns the projected matrices and the states. */
export function projectMatrices(
  mats: Float32Array[],
  grids: BlockGrid[],
  t: UnifyTarget,
): { projected: Float32Array[]; states: Uint8Array[] } {
  const states = projectionStates(mats, grids, t);
  const projected = mats.map((m, i) => {
    const out = new Float32Array(m.length);
    applyBlockStates(m, out, grids[i]!, states[i]!);
    return out;
  });
  return { projected, states };
}
