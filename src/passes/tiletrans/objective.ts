/**
 * The search objective: importance each affected layer keeps when pruned to its own budget under the
 * real pattern, with the group's permutation applied through source maps (no weight copies).
 * Layers whose kept importance cannot depend on the permutation (rows under N:M or 1-row tiles,
 * columns under 1-column tiles) are computed once.
 */
import type { Pattern } from '../tile/pattern.js';
import { keptOf, nmSelect, selectTiles, tileSums, type Grid } from '../tile/select.js';
import { sourceMap, type Affected } from './affected.js';

export function permutationMatters(a: Affected, p: Pattern): boolean {
  if (!a.scored) return false;
  if (p.kind === 'nm') return a.side === 'col';
  return a.side === 'row' ? p.th > 1 : p.tw > 1;
}

/** Grid and pruned-tile selection of one layer under a permutation (tile patterns). */
export function layerGrid(
  a: Affected,
  perm: ArrayLike<number> | undefined,
  p: Extract<Pattern, { kind: 'tile' }>,
  budget: number,
): { grid: Grid; pruned: Uint8Array } {
  const src = perm ? sourceMap(a, perm) : undefined;
  const grid = tileSums(
    a.imp,
    a.view.rows,
    a.view.cols,
    p.th,
    p.tw,
    a.side === 'row' ? src : undefined,
    a.side === 'col' ? src : undefined,
  );
  return { grid, pruned: selectTiles([grid], budget)[0]! };
}

export class Objective {
  private readonly constant: Float64Array;

  constructor(
    readonly aff: Affected[],
    readonly pattern: Pattern,
    readonly budgets: number[],
  ) {
    this.constant = new Float64Array(aff.length).fill(NaN);
    aff.forEach((a, i) => {
      if (!permutationMatters(a, pattern)) this.constant[i] = a.scored ? this.layerKept(i, undefined) : 0;
    });
  }

  private layerKept(i: number, perm: ArrayLike<number> | undefined): number {
    const a = this.aff[i]!;
    const p = this.pattern;
    if (p.kind === 'nm') {
      const src = perm && a.side === 'col' ? sourceMap(a, perm) : undefined;
      return nmSelect(a.imp, a.view.rows, a.view.cols, p.n, p.m, src).kept;
    }
    const { grid, pruned } = layerGrid(a, perm, p, this.budgets[i]!);
    return keptOf(grid, pruned);
  }

  /** Kept importance per affected layer (0 for unscored layers). */
  perLayer(perm: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.aff.length);
    for (let i = 0; i < this.aff.length; i++)
      out[i] = Number.isNaN(this.constant[i]!) ? this.layerKept(i, perm) : this.constant[i]!;
    return out;
  }
}

export function total(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x;
  return s;
}

/** True when every layer keeps at least what it kept in `base` (tolerance for float sums). */
export function noLayerWorse(v: Float64Array, base: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (v[i]! < base[i]! - 1e-9 * Math.max(1, Math.abs(base[i]!))) return false;
  return true;
}
