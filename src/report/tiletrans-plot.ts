/**
 * A self-contained SVG: one layer's importance heat map before and after TileTrans, pruned tiles
 * shaded, so a user sees important rows gather into kept tiles. Large layers are drawn at ≤ 160×160 cells.
 */
import type { Graph } from '../ir/graph.js';
import { gemmViews } from '../ir/gemm-view.js';
import { patternOf } from '../passes/tile/pattern.js';
import { layerImportance, planTilePrune, type TilePlan, type TilePruneOptions } from '../passes/tile/prune.js';
import { tileTrans } from '../passes/tiletrans/index.js';

/** Names come from the model file: escape them for XML text. */
function xml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function panel(imp: Float32Array, mask: Uint8Array, rows: number, cols: number, x0: number, title: string): string {
  const R = Math.min(rows, 160),
    C = Math.min(cols, 160);
  const cell = Math.max(1, Math.floor(320 / Math.max(R, C)));
  const val = new Float64Array(R * C),
    pr = new Float64Array(R * C),
    cnt = new Float64Array(R * C);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const k = Math.floor((r * R) / rows) * C + Math.floor((c * C) / cols);
      val[k] += imp[r * cols + c]!;
      pr[k] += mask[r * cols + c] ? 0 : 1;
      cnt[k]++;
    }
  let max = 0;
  for (let k = 0; k < val.length; k++) {
    val[k] /= cnt[k]!;
    max = Math.max(max, val[k]!);
  }
  const out = [`<text x="${x0}" y="14" font-size="12" font-family="sans-serif">${title}</text>`];
  for (let i = 0; i < R; i++)
    for (let j = 0; j < C; j++) {
      const k = i * C + j;
      const v = max > 0 ? Math.sqrt(val[k]! / max) : 0;
      const heat = Math.round(255 * (1 - v));
      out.push(
        `<rect x="${x0 + j * cell}" y="${20 + i * cell}" width="${cell}" height="${cell}" fill="rgb(255,${heat},${Math.round(heat * 0.6)})"/>`,
      );
      if (pr[k]! / cnt[k]! > 0.5)
        out.push(
          `<rect x="${x0 + j * cell}" y="${20 + i * cell}" width="${cell}" height="${cell}" fill="#223" fill-opacity="0.55"/>`,
        );
    }
  return out.join('');
}

/** Picks the largest pruned layer; `after` is the permuted graph (or the same graph without TileTrans). */
export function plotTileTrans(
  before: Graph,
  after: Graph,
  opts: TilePruneOptions,
  planAfter: TilePlan,
  gradsAfter = opts.grads,
): string {
  const planBefore = planTilePrune(before, opts);
  const li = planAfter.layers.reduce((b, l, i, a) => (l.rows * l.cols > a[b]!.rows * a[b]!.cols ? i : b), 0);
  const name = planAfter.layers[li]!.node;
  const vb = gemmViews(before).find((v) => v.node.name === name)!;
  const va = gemmViews(after).find((v) => v.node.name === name)!;
  const lb = planBefore.layers[li]!,
    la = planAfter.layers[li]!;
  const pct = (x: number) => (100 * x).toFixed(1);
  const body =
    panel(
      layerImportance(before, vb, opts.importance, opts.grads),
      lb.mask,
      vb.rows,
      vb.cols,
      10,
      `${xml(name)} before: kept ${pct(lb.importanceKept)}% importance`,
    ) +
    panel(
      layerImportance(after, va, opts.importance, gradsAfter),
      la.mask,
      va.rows,
      va.cols,
      350,
      `after permutation: kept ${pct(la.importanceKept)}%`,
    );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="690" height="360" viewBox="0 0 690 360"><rect width="690" height="360" fill="white"/>${body}` +
    `<text x="10" y="352" font-size="11" font-family="sans-serif">${planAfter.pattern} tiles, sparsity ${pct(planAfter.sparsity)}%; dark = pruned, red = important</text></svg>\n`
  );
}

export interface TileFigureOptions {
  tile?: string;
  pattern?: string;
  sparsity?: number;
  importance?: 'l1' | 'l2' | 'taylor';
  scope?: 'global' | 'layer';
  skip?: string[];
  tiletrans?: 'sort' | 'search';
}

/**
 * The figure for `prune --method tile --plot`: the same pruning on the model as it is and after TileTrans. Taylor
 * importance is drawn as |w| (its gradients belong to the pruning run, not to the figure).
 */
export function tileTransFigure(g: Graph, o: TileFigureOptions): string {
  const importance = o.importance === 'taylor' ? 'l1' : (o.importance ?? 'l1');
  const opts: TilePruneOptions = {
    pattern: patternOf(o.pattern, o.tile ?? '128x1'),
    sparsity: o.sparsity ?? 0,
    importance,
    scope: o.scope,
    skip: o.skip,
  };
  const after = o.tiletrans
    ? tileTrans(g, {
        mode: o.tiletrans,
        importance,
        pattern: opts.pattern,
        sparsity: opts.sparsity,
        scope: o.scope,
        skip: o.skip,
      }).graph
    : g;
  return plotTileTrans(g, after, opts, planTilePrune(after, opts));
}
