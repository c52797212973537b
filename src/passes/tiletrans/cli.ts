/** `reprune reparam --transform tiletrans`: permutation only; the output computes the same function. */
import type { Command } from 'commander';
import type { Graph } from '../../ir/graph.js';
import { ReproError } from '../../util/errors.js';
import { parseImportance } from '../tile/importance.js';
import { tileOptions } from '../tile/cli.js';
import { tileTrans } from './index.js';

export interface TileTransFlags { importance?: string; mode?: string; tile?: string; pattern?: string; sparsity?: number; skip?: string }

export function addTileTransFlags(cmd: Command): Command {
  return cmd
    .option('--importance <kind>', '[tiletrans] l1 (default) or l2', 'l1')
    .option('--mode <m>', '[tiletrans] sort (paper, default) or search (ours; needs --tile/--pattern and --sparsity)', 'sort')
    .option('--tile <HxW>', '[tiletrans] tile shape the search optimises for', '128x1')
    .option('--pattern <p>', "[tiletrans] 'tile' or N:M for the search")
    .option('--skip <nodes>', '[tiletrans] layers left out of the search objective');
}

export function runTileTransTransform(g: Graph, f: TileTransFlags): { graph: Graph; summary: Record<string, unknown> } {
  if (f.mode !== 'sort' && f.mode !== 'search') throw new ReproError(`--mode ${f.mode}: expected sort or search`);
  const importance = parseImportance(f.importance ?? 'l1');
  const opts = f.mode === 'search' ? tileOptions({ ...f, sparsity: f.sparsity ?? 0.5 }) : undefined;
  const r = tileTrans(g, { mode: f.mode, importance, pattern: opts?.pattern, sparsity: opts?.sparsity, skip: opts?.skip });
  return { graph: g, summary: { transform: 'tiletrans', ...r } };
}
