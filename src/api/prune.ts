/**
 * `prune(graph, options)`: one entry point over the pruning methods, for library users. The input graph is
 * never modified; the result holds a new graph and a JSON-friendly summary.
 */
import type { Dataset } from '../data/dataset.js';
import { take } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { runPro } from '../passes/reap/pro.js';
import { groupGrams } from '../passes/structured/behaviours.js';
import { pruneStructured, type PruneCriterion } from '../passes/structured/prune.js';
import { runTileMethod } from '../passes/tile/cli.js';
import type { ImportanceKind } from '../passes/tile/importance.js';
import { ReproError } from '../util/errors.js';

/** Unstructured-in-tiles pruning: zero the least important tiles of every Conv/Gemm/MatMul weight (GEMM view). */
export interface TilePruneApiOptions {
  method: 'tile';
  /** Fraction of prunable weights to zero, in [0, 1). */
  sparsity: number;
  /** Tile shape 'HxW' in the GEMM view (default '128x1'). */
  tile?: string;
  /** 'element' or an N:M pattern such as '2:4' instead of tiles. */
  pattern?: string;
  importance?: ImportanceKind;
  scope?: 'global' | 'layer';
  /** Node names left dense ('first' / 'last' allowed). */
  skip?: string[];
  /** Permute channels first (TileTrans): true / 'sort' (the paper) or 'search' (ours). */
  tiletrans?: boolean | 'sort' | 'search';
  /** Rewrite pruned layers into dense ops over the surviving tiles (faster in ORT). */
  lower?: boolean;
}

/** Channel pruning that physically shrinks layers. Give `ratio` (uniform) or `budget` (PRO picks per-layer ratios). */
export interface StructuredPruneApiOptions {
  method: PruneCriterion;
  /** Fraction of channels removed in every prunable group. */
  ratio?: number;
  /** Fraction of the dense MACs to keep; PRO chooses the per-layer ratios (needs `data`). */
  budget?: number;
  /** Calibration data: required for 'reap' / 'nu' and for `budget`. */
  data?: Dataset;
  /** Calibration samples used from `data` (default 2000). */
  calibSamples?: number;
  skip?: string[];
  roundTo?: number;
  seed?: number;
  log?: (line: string) => void;
}

export type PruneOptions = TilePruneApiOptions | StructuredPruneApiOptions;

export interface PruneResult {
  graph: Graph;
  summary: Record<string, unknown>;
}

/**
 * Prune a model.
 * @example
 * const tiled = await prune(g, { method: 'tile', sparsity: 0.7, tile: '32x32', tiletrans: true });
 * const reap = await prune(g, { method: 'reap', budget: 0.5, data: loadDataset('mnist', 'train', { limit: 2000 }) });
 */
export async function prune(g: Graph, o: PruneOptions): Promise<PruneResult> {
  if (o.method === 'tile') {
    return runTileMethod(g.clone(), { ...o, skip: o.skip?.join(','), importance: o.importance ?? 'l1' });
  }
  return pruneChannels(g, o);
}

async function pruneChannels(g: Graph, o: StructuredPruneApiOptions): Promise<PruneResult> {
  const behaviour = o.method === 'reap' || o.method === 'nu';
  if ((o.ratio === undefined) === (o.budget === undefined)) throw new ReproError(`prune --method ${o.method}: give exactly one of ratio (uniform) or budget (PRO)`);
  if ((behaviour || o.budget !== undefined) && !o.data) throw new ReproError(`prune --method ${o.method}${o.budget !== undefined ? ' with a budget' : ''}: needs calibration data (options.data)`);
  const calib = o.data ? take(o.data, Math.min(o.data.count, o.calibSamples ?? 2000)) : undefined;
  const grams = behaviour ? await groupGrams(g, calib!, { samples: calib!.count, skip: o.skip }) : undefined;
  let ratios: Record<string, number> | undefined;
  let pro: Record<string, unknown> | undefined;
  if (o.budget !== undefined) {
    const r = await runPro(g, calib!, { method: o.method, budget: o.budget, grams, skip: o.skip, roundTo: o.roundTo, seed: o.seed, log: o.log });
    ratios = r.ratios;
    pro = { evaluations: r.evaluations, logitError: r.logitError, macs: r.macs, params: r.params };
  }
  const res = pruneStructured(g, { method: o.method, ratio: o.ratio, ratios, grams, skip: o.skip, roundTo: o.roundTo, seed: o.seed });
  return { graph: res.graph, summary: { method: o.method, ratios: res.ratios, channels: res.channels, skipped: res.skipped, ...(pro ? { pro } : {}) } };
}
