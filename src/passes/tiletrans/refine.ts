/**
 * Our search beyond the paper's sort, for tile patterns: balanced clustering of channels into bins of
 * S consecutive positions (S = tile height for producer rows, tile width for consumer columns).
 * Alternate (1) fix the permutation → each layer's pruned tiles under its budget; (2) fix those masks →
 * the value V[c, b] of placing channel c in bin b is linear, so improve the assignment with exact
 * pairwise bin exchanges (swap the best-gaining pairs between two bins while the gain is positive).
 * A round is kept only if the true objective rises and no layer keeps less than before.
 */
import type { Pattern } from '../tile/pattern.js';
import type { Affected } from './affected.js';
import { layerGrid, noLayerWorse, total, type Objective } from './objective.js';

type TilePattern = Extract<Pattern, { kind: 'tile' }>;

/** Bin size the exchange works on, and which layers take part. */
function binning(aff: Affected[], p: TilePattern): { S: number; use: boolean[] } {
  const S = p.th > 1 ? p.th : p.tw;
  const use = aff.map(
    (a) =>
      a.scored && (a.side === 'row' ? p.th === S && S > 1 : p.tw === S && S > 1 && a.block === 1 && a.offset % S === 0),
  );
  return { S, use };
}

/** Per-channel sums of importance over the tiles of the other axis: rows → column blocks, cols → row blocks. */
function channelTileSums(a: Affected, p: TilePattern, n: number): { sums: Float32Array; other: number } {
  const { rows, cols } = a.view;
  if (a.side === 'row' && p.tw === 1) return { sums: a.imp, other: cols }; // 1-column tiles: the sums are the importances
  if (a.side === 'row') {
    const nc = Math.ceil(cols / p.tw);
    const s = new Float32Array(n * nc);
    for (let c = 0; c < n; c++) for (let j = 0; j < cols; j++) s[c * nc + ((j / p.tw) | 0)] += a.imp[c * cols + j]!;
    return { sums: s, other: nc };
  }
  const nr = Math.ceil(rows / p.th);
  const s = new Float32Array(n * nr);
  for (let r = 0; r < rows; r++) {
    const ib = (r / p.th) | 0;
    for (let c = 0; c < n; c++) s[c * nr + ib] += a.imp[r * cols + a.offset + c]!;
  }
  return { sums: s, other: nr };
}

export function refineTiles(obj: Objective, start: Int32Array, p: TilePattern, rounds = 6): Int32Array {
  const aff = obj.aff;
  const n = start.length;
  const { S, use } = binning(aff, p);
  if (!use.some(Boolean)) return start;
  const nb = Math.ceil(n / S);
  const pre = aff.map((a, i) => (use[i] ? channelTileSums(a, p, n) : undefined));
  let best = start.slice();
  let bestVals = obj.perLayer(best);
  const base = bestVals;
  for (let round = 0; round < rounds; round++) {
    const V = new Float64Array(n * nb);
    aff.forEach((a, i) => {
      if (!use[i]) return;
      const { grid, pruned } = layerGrid(a, best, p, obj.budgets[i]!);
      const { sums, other } = pre[i]!;
      const kept = new Int32Array(Math.max(grid.nc, grid.nr));
      for (let b = 0; b < nb; b++) {
        let k = 0;
        if (a.side === 'row') {
          for (let j = 0; j < grid.nc; j++) if (!pruned[b * grid.nc + j]) kept[k++] = j;
        } else {
          const cb = a.offset / S + b;
          for (let ib = 0; ib < grid.nr; ib++) if (!pruned[ib * grid.nc + cb]) kept[k++] = ib;
        }
        accumulate(V, sums, other, kept, k, n, nb, b);
      }
    });
    const perm = best.slice();
    exchangeBins(perm, V, nb, S);
    const vals = obj.perLayer(perm);
    const gain = total(vals) - total(bestVals);
    if (gain > 1e-12 * total(bestVals) && noLayerWorse(vals, base)) {
      best = perm;
      bestVals = vals;
    }
    if (!(gain > 1e-4 * total(bestVals))) break; // converged (or got worse): further rounds pay little
  }
  return best;
}

/** V[c, b] += Σ_{j in kept[0..k)} sums[c, j] — the hot loop of a round, kept monomorphic. */
function accumulate(
  V: Float64Array,
  sums: Float32Array,
  other: number,
  kept: Int32Array,
  k: number,
  n: number,
  nb: number,
  b: number,
): void {
  for (let c = 0; c < n; c++) {
    let v = 0;
    const o = c * other;
    for (let i = 0; i < k; i++) v += sums[o + kept[i]!]!;
    V[c * nb + b] += v;
  }
}

/** Pairwise exchanges between bins that raise Σ V[channel, bin]; sweeps until nothing moves. */
function exchangeBins(perm: Int32Array, V: Float64Array, nb: number, S: number): void {
  const n = perm.length;
  for (let sweep = 0; sweep < 4; sweep++) {
    let moved = 0;
    for (let a = 0; a < nb; a++) {
      for (let b = a + 1; b < nb; b++) {
        const pa = range(a * S, Math.min(n, (a + 1) * S));
        const pb = range(b * S, Math.min(n, (b + 1) * S));
        const gain = (pos: number, from: number, to: number) => V[perm[pos]! * nb + to]! - V[perm[pos]! * nb + from]!;
        pa.sort((x, y) => gain(y, a, b) - gain(x, a, b));
        pb.sort((x, y) => gain(y, b, a) - gain(x, b, a));
        for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
          if (gain(pa[i]!, a, b) + gain(pb[i]!, b, a) <= 1e-15) break;
          const t = perm[pa[i]!]!;
          perm[pa[i]!] = perm[pb[i]!]!;
          perm[pb[i]!] = t;
          moved++;
        }
      }
    }
    if (!moved) break;
  }
}

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo }, (_, i) => lo + i);
}
