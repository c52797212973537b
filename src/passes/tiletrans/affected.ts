/**
 * The layers a channel group's permutation touches, in GEMM view: producers see it as a row
 * permutation, consumers as a column permutation (channel c = GEMM columns offset + c·block + [0, block);
 * for Conv the block includes the kh·kw taps). `rowSrc`/`colSrc` turn a group permutation into the
 * position → original index maps that select.ts reads matrices through.
 */
import type { ChannelGroup } from '../../analysis/coupling.js';
import type { Graph } from '../../ir/graph.js';
import { gemmViewOf, type GemmView } from '../../ir/gemm-view.js';
import { layerImportance } from '../tile/prune.js';
import type { GradMap, ImportanceKind } from '../importance/element.js';

export interface Affected {
  view: GemmView;
  imp: Float32Array;
  side: 'row' | 'col';
  /** GEMM-view column offset and columns per channel (col side). */
  offset: number;
  block: number;
  /** True when the layer is pruned (part of the objective); skipped layers are only permuted. */
  scored: boolean;
}

/**
 * A layer's importance, computed on first use: the sort reads only the producers' rows, so a consumer's (VGG-16's
 * fc6: 103 M weights, two float copies) is never computed unless the search reads it. The weight must still be the
 * one the group saw: a permutation applied in between would make the scores stale.
 */
function lazyImportance(g: Graph, view: GemmView, kind: ImportanceKind, grads?: GradMap): () => Float32Array {
  const weight = g.initializers.get(view.weight);
  let imp: Float32Array | undefined;
  return () => {
    if (g.initializers.get(view.weight) !== weight)
      throw new Error(`tiletrans: importance of '${view.weight}' read after the weight was rewritten`);
    imp ??= layerImportance(g, view, kind, grads);
    return imp;
  };
}

/** An Affected entry whose `imp` is computed on first read. */
function affected(base: Omit<Affected, 'imp'>, imp: () => Float32Array): Affected {
  return Object.defineProperty(base, 'imp', { get: imp, enumerable: true }) as Affected;
}

export function affectedLayers(
  g: Graph,
  group: ChannelGroup,
  kind: ImportanceKind,
  scored: Set<string>,
  grads?: GradMap,
): Affected[] {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const out: Affected[] = [];
  for (const p of group.producers) {
    const view = gemmViewOf(g, byName.get(p.node)!)!;
    out.push(
      affected(
        {
          view,
          side: 'row',
          offset: p.offset, // a fused qkv weight's q, k or v part (head-dims.ts)
          block: 1,
          scored: scored.has(p.node),
        },
        lazyImportance(g, view, kind, grads),
      ),
    );
  }
  for (const c of group.consumers) {
    if (c.convGroups > 1) continue; // grouped consumers: columns are per conv group (searched groups have none)
    const view = gemmViewOf(g, byName.get(c.node)!)!;
    const taps = c.opType === 'Conv' ? view.cols / g.initializers.get(view.weight)!.dims[1]! : 1;
    const base = {
      view,
      side: 'col' as const,
      offset: c.offset * taps,
      block: c.block * taps,
      scored: scored.has(c.node),
    };
    out.push(affected(base, lazyImportance(g, view, kind, grads)));
  }
  return out;
}

/** Position → original index along the permuted side of a layer, for group permutation `perm`. */
export function sourceMap(a: Affected, perm: ArrayLike<number>): Int32Array {
  const len = a.side === 'row' ? a.view.rows : a.view.cols;
  const src = new Int32Array(len);
  for (let i = 0; i < len; i++) src[i] = i;
  for (let c = 0; c < perm.length; c++) {
    for (let j = 0; j < a.block; j++) src[a.offset + c * a.block + j] = a.offset + perm[c]! * a.block + j;
  }
  return src;
}

/** Channel score of the paper: sum of the importance of every writer's row for that channel. */
export function rowScores(aff: Affected[], size: number): Float64Array {
  const s = new Float64Array(size);
  for (const a of aff) {
    if (a.side !== 'row') continue;
    const cols = a.view.cols;
    for (let r = 0; r < size; r++) {
      let t = 0;
      const row = (a.offset + r) * cols;
      for (let c = 0; c < cols; c++) t += a.imp[row + c]!;
      s[r] += t;
    }
  }
  return s;
}

/** TileTrans sort: channels by descending score, inside each cut block (conv groups stay in place). */
export function sortPermutation(scores: Float64Array, cuts: number[]): Int32Array {
  const perm = new Int32Array(scores.length);
  for (let b = 0; b + 1 < cuts.length; b++) {
    const idx = Array.from({ length: cuts[b + 1]! - cuts[b]! }, (_, i) => cuts[b]! + i);
    idx.sort((x, y) => scores[y]! - scores[x]! || x - y);
    perm.set(idx, cuts[b]!);
  }
  return perm;
}
