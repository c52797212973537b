/**
 * A report heat map of one layer: its GEMM-view importance averaged over cells (a quarter of a tile per side,
 * so tile boundaries stay visible), and whether most of each cell was pruned.
 */
import type { Graph } from '../ir/graph.js';
import { gemmViews } from '../ir/gemm-view.js';
import type { Heatmap } from '../report/schema.js';
import { layerImportance } from '../passes/tile/prune.js';

/** A layer of a tile plan with its keep-mask unpacked. */
export interface MaskedLayer {
  node: string;
  rows: number;
  cols: number;
  importanceKept: number;
  mask: Uint8Array;
}

export function layerHeatmap(g: Graph, plan: MaskedLayer, title: string, cell: { h: number; w: number }): Heatmap {
  const view = gemmViews(g).find((v) => v.node.name === plan.node);
  if (!view) throw new Error(`internal: no GEMM view for layer '${plan.node}'`);
  const imp = layerImportance(g, view, 'l1');
  const { rows, cols } = plan;
  const R = Math.ceil(rows / cell.h),
    C = Math.ceil(cols / cell.w);
  const sum = new Float64Array(R * C),
    pruned = new Float64Array(R * C),
    cnt = new Float64Array(R * C);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = Math.floor(r / cell.h) * C + Math.floor(c / cell.w);
      sum[k] += imp[r * cols + c]!;
      if (!plan.mask[r * cols + c]) pruned[k]++;
      cnt[k]++;
    }
  }
  const values: number[][] = [],
    mask: boolean[][] = [];
  for (let i = 0; i < R; i++) {
    values.push(Array.from({ length: C }, (_, j) => +(sum[i * C + j]! / cnt[i * C + j]!).toPrecision(4)));
    mask.push(Array.from({ length: C }, (_, j) => pruned[i * C + j]! > cnt[i * C + j]! / 2));
  }
  return { title, layer: plan.node, values, pruned: mask };
}

/** The plan's largest layer (most weights): the one whose picture says most. */
export function largestLayer(layers: MaskedLayer[]): number {
  return layers.reduce((b, l, i, a) => (l.rows * l.cols > a[b]!.rows * a[b]!.cols ? i : b), 0);
}
