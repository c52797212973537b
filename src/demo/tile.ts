/**
 * Demo step: plain tile pruning vs TileTrans (the paper's sort) + the same tile pruning, one-shot with no
 * retraining; an accuracy-vs-sparsity curve for both; heat maps of the largest layer before/after.
 */
import type { Graph } from '../ir/graph.js';
import { parseTile } from '../passes/tile/pattern.js';
import { tilePrune, type TilePruneOptions } from '../passes/tile/prune.js';
import { tileTrans } from '../passes/tiletrans/index.js';
import type { MethodResult } from '../report/schema.js';
import { evaluate } from '../runtime/evaluate.js';
import type { DemoContext, DemoStep } from './context.js';
import { largestLayer, layerHeatmap } from './heatmap.js';
import { measureMethod } from './measure.js';

const pct = (x: number) => `${(100 * x).toFixed(0)} %`;

function tileOpts(ctx: DemoContext, sparsity: number): TilePruneOptions {
  return { pattern: parseTile(ctx.cfg.tile.tile), sparsity, importance: 'l1', scope: 'global' };
}

/** Sparsity → accuracy for plain and TileTrans-permuted models (the permutation does not depend on sparsity). */
async function curves(ctx: DemoContext, permuted: Graph): Promise<void> {
  const series = [['tile pruning', ctx.dense], ['TileTrans + tile pruning', permuted]] as const;
  for (const s of ctx.cfg.tile.curve) {
    for (const [name, base] of series) {
      const g = base.clone();
      tilePrune(g, tileOpts(ctx, s));
      const { accuracy } = await evaluate(g, ctx.test, { batchSize: 500 });
      ctx.curves.push({ series: name, sparsity: s, accuracy });
    }
    ctx.log(`  curve: sparsity ${pct(s)} done`);
  }
  for (const [name] of series) ctx.curves.push({ series: name, sparsity: 0, accuracy: ctx.denseResult?.accuracy ?? NaN });
  ctx.curves.sort((a, b) => a.series.localeCompare(b.series) || a.sparsity - b.sparsity);
}

export const tileStep: DemoStep = {
  name: 'tile pruning vs TileTrans',
  rows: [{ method: 'tile', label: 'tile pruning' }, { method: 'tiletrans', label: 'TileTrans + tile pruning' }],
  async run(ctx) {
    const { tile, sparsity } = ctx.cfg.tile;
    const opts = tileOpts(ctx, sparsity);
    const plain = ctx.dense.clone();
    const planPlain = tilePrune(plain, opts);
    const permuted = ctx.dense.clone();
    const tt = tileTrans(permuted, { mode: 'sort', importance: 'l1' });
    const prunedPerm = permuted.clone();
    const planPerm = tilePrune(prunedPerm, opts);
    const out: MethodResult[] = [];
    const notes = `${tile} tiles, ${pct(sparsity)} of Conv/Gemm weights, global L1 threshold, no retraining`;
    out.push(await measureMethod(ctx, {
      method: 'tile', label: 'tile pruning', graph: plain, notes,
      extra: { tile, sparsity: planPlain.sparsity, importanceKept: planPlain.importanceKept },
    }));
    out.push(await measureMethod(ctx, {
      method: 'tiletrans', label: 'TileTrans + tile pruning', graph: prunedPerm, notes: `${notes}; channels permuted first (sort)`,
      extra: { tile, sparsity: planPerm.sparsity, importanceKept: planPerm.importanceKept, permutedGroups: tt.permuted },
    }));
    const li = largestLayer(planPlain.layers);
    const cell = { h: Math.max(1, opts.pattern.kind === 'tile' ? opts.pattern.th / 4 : 1), w: Math.max(1, opts.pattern.kind === 'tile' ? opts.pattern.tw / 4 : 1) };
    // Importance of the weights before masking, so the colours show what was kept and what was lost.
    ctx.heatmaps.push(layerHeatmap(ctx.dense, planPlain.layers[li]!, `before: ${pct(planPlain.layers[li]!.importanceKept)} importance kept`, cell));
    ctx.heatmaps.push(layerHeatmap(permuted, planPerm.layers[li]!, `after TileTrans: ${pct(planPerm.layers[li]!.importanceKept)} kept`, cell));
    await curves(ctx, permuted);
    return out;
  },
};
