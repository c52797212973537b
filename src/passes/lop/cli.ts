/** `reprune reparam --transform lop-expand|lop-merge`: the exact linear over-parameterization and its inverse. */
import type { Command } from 'commander';
import type { Graph } from '../../ir/graph.js';
import { ReproError } from '../../util/errors.js';
import { lopExpand } from './expand.js';
import { lopMerge } from './merge.js';

export function addLopFlags(cmd: Command): Command {
  return cmd
    .option('--expand <r>', '[lop-expand] expansion rate r (each layer becomes r× wider inside)', '4')
    .option('--seed <s>', '[lop-expand] seed of the random expansion factors', '0')
    .option('--all-linear', '[lop-merge] merge every mergeable chain of linear layers, not only LOP-expanded ones');
}

export function runLopExpand(g: Graph, f: Record<string, unknown>): { graph: Graph; summary: Record<string, unknown> } {
  const rate = Number(f.expand ?? 4);
  if (!Number.isFinite(rate) || rate < 1) throw new ReproError(`--expand ${String(f.expand)}: expected a number >= 1`);
  const report = lopExpand(g, { rate, seed: Number(f.seed ?? 0) });
  return { graph: g, summary: { transform: 'lop-expand', rate, expanded: report.expanded, skipped: report.skipped } };
}

export function runLopMerge(g: Graph, f: Record<string, unknown>): { graph: Graph; summary: Record<string, unknown> } {
  const { merged } = lopMerge(g, { onlyExpanded: !f.allLinear });
  return { graph: g, summary: { transform: 'lop-merge', merged } };
}
