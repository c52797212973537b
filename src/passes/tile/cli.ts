/**
 * `reprune prune --method tile`: flags → tile pruning (optionally after TileTrans, optionally lowered).
 * Registered in src/cli/commands/prune.ts's method table.
 */
import type { Command } from 'commander';
import { writeFileAtomic } from '../../util/fs.js';
import type { Graph } from '../../ir/graph.js';
import { ReproError } from '../../util/errors.js';
import { compareTileTrans, type KeptComparison } from '../tiletrans/compare.js';
import { plotTileTrans } from '../tiletrans/plot.js';
import { parseImportance } from './importance.js';
import { lowerTileSparse } from './lower.js';
import { parsePattern, parseTile, type Pattern } from './pattern.js';
import { applyTileMasks, planTilePrune, type TilePruneOptions } from './prune.js';

export interface TileFlags {
  sparsity?: number;
  tile?: string;
  pattern?: string;
  importance?: string;
  scope?: string;
  skip?: string;
  tiletrans?: boolean | string;
  lower?: boolean;
  plot?: string;
}

export function addTileFlags(cmd: Command): Command {
  return cmd
    .option('--tile <HxW>', '[tile] tile shape in the GEMM view (rows x cols)', '128x1')
    .option('--pattern <p>', "[tile] 'tile' (default, uses --tile), 'element', or N:M such as 2:4")
    .option('--importance <kind>', '[tile] l1 (default), l2 or taylor', 'l1')
    .option('--scope <s>', '[tile] threshold: global (default) or layer', 'global')
    .option('--skip <nodes>', "[tile] comma-separated node names to keep dense ('first', 'last' allowed)")
    .option('--tiletrans [mode]', '[tile] permute channels first (TileTrans): sort (paper, default) or search (ours)')
    .option('--lower', '[tile] rewrite pruned layers into dense ops over surviving tiles (faster in ORT)')
    .option('--plot <file.svg>', '[tile] heat map of one layer before/after permutation with pruned tiles');
}

export function tileOptions(f: TileFlags): TilePruneOptions {
  const pattern: Pattern = (f.pattern ? parsePattern(f.pattern) : undefined) ?? parseTile(f.tile ?? '128x1');
  if (pattern.kind === 'tile' && f.sparsity === undefined) throw new ReproError('--method tile needs --sparsity (fraction of weights to zero, e.g. 0.7)');
  if (f.scope !== undefined && f.scope !== 'global' && f.scope !== 'layer') throw new ReproError(`--scope ${f.scope}: expected global or layer`);
  return {
    pattern, sparsity: f.sparsity ?? 0, importance: parseImportance(f.importance ?? 'l1'),
    scope: (f.scope ?? 'global') as 'global' | 'layer', skip: f.skip ? f.skip.split(',').map((s) => s.trim()).filter(Boolean) : [],
  };
}

function tileTransMode(v: boolean | string | undefined): 'sort' | 'search' | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === true || v === 'sort') return 'sort';
  if (v === 'search') return 'search';
  throw new ReproError(`--tiletrans=${v}: expected sort or search`);
}

/** Run the method on `g`; returns the pruned graph and the JSON summary. */
export function runTileMethod(g: Graph, f: TileFlags): { graph: Graph; summary: Record<string, unknown> } {
  const opts = tileOptions(f);
  const mode = tileTransMode(f.tiletrans);
  let graph = g;
  let cmp: KeptComparison | undefined;
  if (mode) {
    cmp = compareTileTrans(g, opts);
    graph = cmp.graphs[mode];
  }
  const plan = cmp ? cmp.plans[mode!] : planTilePrune(graph, opts);
  if (f.plot) writeFileAtomic(f.plot, plotTileTrans(g, cmp?.graphs[mode!] ?? g, opts, plan));
  applyTileMasks(graph, plan);
  const lowered = f.lower ? lowerTileSparse(graph) : undefined;
  const summary: Record<string, unknown> = {
    method: 'tile', pattern: plan.pattern, sparsity: plan.sparsity, importanceKept: plan.importanceKept,
    layers: plan.layers.map((l) => ({ node: l.node, rows: l.rows, cols: l.cols, sparsity: l.sparsity, importanceKept: l.importanceKept })),
  };
  if (cmp) summary.tiletrans = { mode, importanceKept: cmp.total, ms: cmp.ms, layers: cmp.layers };
  if (lowered) summary.lowered = lowered;
  return { graph, summary };
}
