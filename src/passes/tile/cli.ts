/**
 * `reprune prune --method tile`: flags → tile pruning (optionally after TileTrans, optionally lowered).
 * Registered in src/cli/commands/prune.ts's method table.
 */
import type { Command, Option } from 'commander';
import type { Dataset } from '../../data/dataset.js';
import { loadDataset } from '../../data/sources.js';
import { writeFileAtomic } from '../../util/fs.js';
import type { Graph } from '../../ir/graph.js';
import { ReproError } from '../../util/errors.js';
import { compareTileTrans, type KeptComparison } from '../tiletrans/compare.js';
import { plotTileTrans } from '../tiletrans/plot.js';
import { parseImportance } from './importance.js';
import { taylorGradients } from './taylor.js';
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
  /** Taylor importance: training data spec (mnist, fashion-mnist, folder) or an already loaded dataset (API). */
  data?: string;
  dataset?: Dataset;
  calib?: string | number;
  seed?: string | number;
}

/** Add an option unless another method already registered it (--data, --calib, --seed are shared). */
function addOnce(cmd: Command, flags: string, desc: string): Command {
  const long = flags.split(/[ ,]+/).find((f) => f.startsWith('--'));
  return cmd.options.some((o: Option) => o.long === long) ? cmd : cmd.option(flags, desc);
}

export function addTileFlags(cmd: Command): Command {
  cmd = addOnce(cmd, '--data <spec>', '[tile taylor|reap|nu|pro] training/calibration data: mnist, fashion-mnist or a folder');
  cmd = addOnce(cmd, '--calib <n>', '[tile taylor] samples for the gradient (default 512 = 4 batches of 128); [reap|nu|pro] calibration samples (default 2000)');
  cmd = addOnce(cmd, '--seed <s>', '[tile taylor] sample shuffle seed; [random] seed');
  return cmd
    .option('--tile <HxW>', '[tile] tile shape in the GEMM view (rows x cols)', '128x1')
    .option('--pattern <p>', "[tile] 'tile' (default, uses --tile), 'element', or N:M such as 2:4")
    .option('--importance <kind>', '[tile] l1 (default), l2 or taylor (w·grad)², grad averaged over --calib samples of --data', 'l1')
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

function intFlag(flag: string, v: string | number | undefined, lo: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo) throw new ReproError(`${flag} ${v}: expected an integer >= ${lo}`);
  return n;
}

/** Taylor gradients from --data (the model's own training split); undefined for l1/l2. */
async function taylorFor(g: Graph, f: TileFlags): Promise<Record<string, unknown> & { grads: Map<string, Float32Array> }> {
  if (!f.dataset && !f.data) throw new ReproError('--importance taylor: needs training data for the gradients; add --data mnist (or fashion-mnist, or a dataset folder)');
  const ds = f.dataset ?? loadDataset(f.data!, 'train');
  const t = await taylorGradients(g, ds, { samples: intFlag('--calib', f.calib, 1), seed: intFlag('--seed', f.seed, 0) });
  return { grads: t.grads, data: ds.name, samples: t.samples, loss: t.loss };
}

/** Run the method on `g`; returns the pruned graph and the JSON summary. */
export async function runTileMethod(g: Graph, f: TileFlags): Promise<{ graph: Graph; summary: Record<string, unknown> }> {
  const opts = tileOptions(f);
  const taylor = opts.importance === 'taylor' ? await taylorFor(g, f) : undefined;
  if (taylor) opts.grads = taylor.grads;
  const mode = tileTransMode(f.tiletrans);
  let graph = g;
  let cmp: KeptComparison | undefined;
  if (mode) {
    cmp = compareTileTrans(g, opts);
    graph = cmp.graphs[mode];
  }
  const plan = cmp ? cmp.plans[mode!] : planTilePrune(graph, opts);
  if (f.plot) writeFileAtomic(f.plot, plotTileTrans(g, cmp?.graphs[mode!] ?? g, opts, plan, cmp?.grads?.[mode!] ?? opts.grads));
  applyTileMasks(graph, plan);
  const lowered = f.lower ? lowerTileSparse(graph) : undefined;
  const summary: Record<string, unknown> = {
    method: 'tile', pattern: plan.pattern, sparsity: plan.sparsity, importanceKept: plan.importanceKept,
    layers: plan.layers.map((l) => ({ node: l.node, rows: l.rows, cols: l.cols, sparsity: l.sparsity, importanceKept: l.importanceKept })),
  };
  if (taylor) summary.taylor = { data: taylor.data, samples: taylor.samples, loss: taylor.loss };
  if (cmp) summary.tiletrans = { mode, importanceKept: cmp.total, ms: cmp.ms, layers: cmp.layers };
  if (lowered) summary.lowered = lowered;
  return { graph, summary };
}
