/**
 * Demo step: plain tile pruning vs TileTrans (the paper's sort) + the same tile pruning, one-shot with no
 * retraining; an accuracy-vs-sparsity curve for both; heat maps of the largest layer before/after.
 */
import { prune, type TileSummary } from '../api/prune.js';
import { reparam } from '../api/reparam.js';
import type { Graph } from '../ir/graph.js';
import type { TilePlanJson } from '../passes/tile/pass.js';
import type { MethodResult } from '../report/schema.js';
import { evaluate } from '../runtime/evaluate.js';
import { unpackBits } from '../util/pack.js';
import type { DemoContext, DemoStep } from './context.js';
import { largestLayer, layerHeatmap } from './heatmap.js';
import { measureMethod } from './measure.js';

const pct = (x: number) => `${(100 * x).toFixed(0)} %`;

async function tilePruned(ctx: DemoContext, g: Graph, sparsity: number) {
  const r = await prune(g, { method: 'tile', tile: ctx.cfg.tile.tile, sparsity, importance: 'l1', scope: 'global' });
  const plan = r.plan.steps[0] as TilePlanJson;
  // The heat maps need each layer's keep-mask: it is in the plan, bit-packed.
  const layers = plan.layers.map((l) => ({ ...l, mask: unpackBits(l.keep, l.rows * l.cols, l.node) }));
  return { graph: r.graph, summary: r.summary as TileSummary, layers };
}

/** Sparsity → accuracy for plain and TileTrans-permuted models (the permutation does not depend on sparsity). */
async function curves(ctx: DemoContext, permuted: Graph): Promise<void> {
  const series = [
    ['tile pruning', ctx.dense],
    ['TileTrans + tile pruning', permuted],
  ] as const;
  for (const s of ctx.cfg.tile.curve) {
    for (const [name, base] of series) {
      const { graph } = await tilePruned(ctx, base, s);
      const { accuracy } = await evaluate(graph, ctx.test, { batchSize: 500 });
      ctx.curves.push({ series: name, sparsity: s, accuracy });
    }
    ctx.log(`  curve: sparsity ${pct(s)} done`);
  }
  for (const [name] of series)
    ctx.curves.push({ series: name, sparsity: 0, accuracy: ctx.denseResult?.accuracy ?? NaN });
  ctx.curves.sort((a, b) => a.series.localeCompare(b.series) || a.sparsity - b.sparsity);
}

export const tileStep: DemoStep = {
  name: 'tile pruning vs TileTrans',
  rows: [
    { method: 'tile', label: 'tile pruning' },
    { method: 'tiletrans', label: 'TileTrans + tile pruning' },
  ],
  async run(ctx) {
    const { tile, sparsity } = ctx.cfg.tile;
    const plain = await tilePruned(ctx, ctx.dense, sparsity);
    const tt = await reparam(ctx.dense, { transform: 'tiletrans', mode: 'sort', importance: 'l1' });
    const permuted = tt.graph;
    const perm = await tilePruned(ctx, permuted, sparsity);
    const out: MethodResult[] = [];
    const notes = `${tile} tiles, ${pct(sparsity)} of Conv/Gemm weights, global L1 threshold, no retraining`;
    out.push(
      await measureMethod(ctx, {
        method: 'tile',
        label: 'tile pruning',
        graph: plain.graph,
        notes,
        extra: { tile, sparsity: plain.summary.sparsity, importanceKept: plain.summary.importanceKept },
      }),
    );
    out.push(
      await measureMethod(ctx, {
        method: 'tiletrans',
        label: 'TileTrans + tile pruning',
        graph: perm.graph,
        notes: `${notes}; channels permuted first (sort)`,
        extra: {
          tile,
          sparsity: perm.summary.sparsity,
          importanceKept: perm.summary.importanceKept,
          permutedGroups: tt.summary.permuted as number,
        },
      }),
    );
    const li = largestLayer(plain.layers);
    const [th, tw] = tile.split('x').map(Number) as [number, number];
    const cell = { h: Math.max(1, th / 4), w: Math.max(1, tw / 4) };
    // Importance of the weights before masking, so the colours show what was kept and what was lost.
    ctx.heatmaps.push(
      layerHeatmap(
        ctx.dense,
        plain.layers[li]!,
        `before: ${pct(plain.layers[li]!.importanceKept)} importance kept`,
        cell,
      ),
    );
    ctx.heatmaps.push(
      layerHeatmap(permuted, perm.layers[li]!, `after TileTrans: ${pct(perm.layers[li]!.importanceKept)} kept`, cell),
    );
    await curves(ctx, permuted);
    return out;
  },
};
