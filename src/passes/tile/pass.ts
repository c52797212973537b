/**
 * `tile` and `tile-lower` as passes. The tile plan holds one keep-mask per layer (a base64 bit set over the GEMM
 * view), so a saved plan re-applies without recomputing importance (Taylor gradients included).
 */
import { unshareInitializers } from '../../analysis/unshare.js';
import type { Graph } from '../../ir/graph.js';
import { ReproError } from '../../util/errors.js';
import { packBits, unpackBits } from '../../util/pack.js';
import type { Pass, PassContext, PlanHeader } from '../contract.js';
import { needData } from '../contract.js';
import { taylorGradients } from '../importance/taylor.js';
import { type LoweredLayer, lowerTileSparse } from './lower.js';
import { type LowerDecision, measureLowering } from '../measure-lowering.js';
import { patternOf } from './pattern.js';
import { applyTileMasks, planTilePrune } from './prune.js';
import { TILE_LOWER_SPEC, TILE_SPEC, type TileLowerOptions, type TileOptions } from './spec.js';

export interface TileLayerPlan {
  node: string;
  weight: string;
  rows: number;
  cols: number;
  sparsity: number;
  importanceKept: number;
  /** Keep-mask over the row-major GEMM view, bit-packed (see util/pack.ts). */
  keep: string;
}

export interface TileReport {
  pattern: string;
  /** Fraction of the prunable weights zeroed. */
  sparsity: number;
  /** Fraction of the total importance the kept weights carry. */
  importanceKept: number;
  layers: Array<Omit<TileLayerPlan, 'keep' | 'weight'>>;
  /** Taylor importance: where the gradients came from. */
  taylor?: { data: string; samples: number; loss: number };
}

export interface TilePlanJson extends PlanHeader<TileOptions> {
  report: TileReport;
  layers: TileLayerPlan[];
}

async function gradientsFor(g: Graph, o: TileOptions, ctx: PassContext) {
  if (o.importance !== 'taylor') return undefined;
  const ds = needData(ctx, '--importance taylor', 'training');
  const t = await taylorGradients(g, ds, { samples: o.calib, seed: o.seed });
  return { grads: t.grads, info: { data: ds.name, samples: t.samples, loss: t.loss } };
}

export const tilePass: Pass<TileOptions, TilePlanJson, TileReport> = {
  ...TILE_SPEC,
  async plan(g0, o, ctx) {
    // A weight shared by two layers gets one mask per layer: each layer its own copy first.
    const g = unshareInitializers(g0);
    const pattern = patternOf(o.pattern, o.tile);
    const taylor = await gradientsFor(g, o, ctx);
    if (pattern.kind === 'tile' && o.sparsity === undefined) {
      throw new ReproError('tile pruning needs a sparsity (--sparsity: the fraction of weights to zero, e.g. 0.7)');
    }
    const sel = planTilePrune(g, {
      pattern,
      sparsity: o.sparsity ?? 0,
      importance: o.importance,
      scope: o.scope,
      skip: o.skip,
      grads: taylor?.grads,
    });
    const layers = sel.layers.map(({ mask, ...l }) => ({ ...l, keep: packBits(mask) }));
    const report: TileReport = {
      pattern: sel.pattern,
      sparsity: sel.sparsity,
      importanceKept: sel.importanceKept,
      layers: layers.map(({ node, rows, cols, sparsity, importanceKept }) => ({
        node,
        rows,
        cols,
        sparsity,
        importanceKept,
      })),
      ...(taylor ? { taylor: taylor.info } : {}),
    };
    return { pass: 'tile', version: 1, options: o, report, layers };
  },
  apply(g, plan) {
    const masks = plan.layers.map((l) => ({
      ...l,
      mask: unpackBits(l.keep, l.rows * l.cols, `tile plan, layer '${l.node}'`),
    }));
    return { graph: applyTileMasks(unshareInitializers(g), masks), report: plan.report };
  },
};

export interface TileLowerPlan extends PlanHeader<TileLowerOptions> {
  layers: LoweredLayer[];
  /** With a measure batch: every candidate's dense and lowered time, and whether it stayed lowered. */
  decisions?: LowerDecision[];
}

export const tileLowerPass: Pass<TileLowerOptions, TileLowerPlan, { layers: LoweredLayer[] }> = {
  ...TILE_LOWER_SPEC,
  async plan(g, o) {
    // The row groups follow from the weights alone; lowering once finds which layers qualify.
    const { layers } = lowerTileSparse(g, o);
    if (!(o.measureBatch > 0)) return { pass: 'tile-lower', version: 1, options: o, layers };
    const lowerOne = (one: Graph, node: string) => lowerTileSparse(one, { ...o, nodes: [node] }).graph;
    const candidates = layers.map((l) => l.node);
    const decisions = await measureLowering(g, candidates, lowerOne, { batch: o.measureBatch, runs: 15, margin: 0.05 });
    const kept = new Set(decisions.filter((d) => d.lowered).map((d) => d.node));
    return { pass: 'tile-lower', version: 1, options: o, layers: layers.filter((l) => kept.has(l.node)), decisions };
  },
  apply(g, plan) {
    const { graph, layers } = lowerTileSparse(g, { ...plan.options, nodes: plan.layers.map((l) => l.node) });
    return { graph, report: { layers } };
  },
};
