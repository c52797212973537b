/**
 * TileTrans (Li, Ai, Ino 2022): permute channels so that rows of similar importance sit in the same
 * tiles, without changing the network's function. For every permutable channel group (src/analysis):
 * - `sort` (the paper): score each channel by the summed importance of all writers' rows, sort descending
 *   (within conv-group blocks), apply to writers, BN params (running stats included) and all readers;
 * - `search` (ours): start from the better of identity and sort, then maximise the importance kept under
 *   the actual pattern and per-layer budgets (refine.ts for tiles, nm-search.ts for N:M), never letting a
 *   layer keep less than it did before. Groups are processed in graph order, so a layer's columns are
 *   searched with its rows already placed.
 * Attention blocks add two groups each (analysis/head-dims.ts): q with k, and v with the output projection's rows,
 * permuted inside every head (N:M swaps stay in a head; tile refinement keeps to sort there).
 */
import { applyPermutation, channelGroups, groupKey } from '../../analysis/coupling.js';
import { headDimGroups } from '../../analysis/head-dims.js';
import type { Graph } from '../../ir/graph.js';
import { permuteGemm, type GradMap, type ImportanceKind } from '../importance/element.js';
import type { Pattern } from '../tile/pattern.js';
import { planTilePrune, prunableLayers } from '../tile/prune.js';
import { progressLines } from '../../util/progress-lines.js';
import { ReproError } from '../../util/errors.js';
import { affectedLayers, rowScores, sortPermutation, sourceMap } from './affected.js';
import { noLayerWorse, Objective, total } from './objective.js';
import { refineTiles } from './refine.js';
import { searchNM } from './nm-search.js';

export type TileTransMode = 'sort' | 'search';

export interface TileTransOptions {
  mode?: TileTransMode;
  importance?: ImportanceKind;
  /** Needed for search: the pattern and target the permutation is optimised for. */
  pattern?: Pattern;
  sparsity?: number;
  scope?: 'global' | 'layer';
  skip?: string[];
  /** Taylor importance: gradients per weight (GEMM view); the result carries a permuted copy. */
  grads?: GradMap;
  /** Progress lines while groups are sorted / searched (VGG-16's search: tens of seconds). */
  log?: (line: string) => void;
}

export interface TileTransReport {
  mode: TileTransMode;
  groups: number;
  permuted: number;
  fixed: Array<{ id: number; size: number; reason: string }>;
  ms: number;
}

/** One group's permutation, by the group's stable key (see analysis/coupling.ts `groupKey`). */
export interface GroupPermutation {
  group: string;
  /** New channel i is old channel perm[i]. */
  perm: number[];
}

export interface TileTransResult {
  /** The permuted copy; the input graph is untouched. */
  graph: Graph;
  permutations: GroupPermutation[];
  report: TileTransReport;
  /** The Taylor gradients (when given), permuted along with the weights they belong to. */
  grads?: GradMap;
}

function isIdentity(p: Int32Array): boolean {
  for (let i = 0; i < p.length; i++) if (p[i] !== i) return false;
  return true;
}

/** Per-layer budgets from the sorted model: with a global threshold that is closer to where the search ends. */
function searchBudgets(g: Graph, opts: TileTransOptions): Map<string, number> {
  const sorted = tileTrans(g, { mode: 'sort', importance: opts.importance, skip: opts.skip, grads: opts.grads });
  const plan = planTilePrune(sorted.graph, {
    pattern: opts.pattern!,
    sparsity: opts.sparsity ?? 0.5,
    importance: opts.importance,
    scope: opts.scope,
    skip: opts.skip,
    grads: sorted.grads,
  });
  return new Map(plan.layers.map((l) => [l.node, l.sparsity]));
}

/**
 * Permute every permutable group of a copy of `g`; the function of the graph is unchanged. Groups are decided in
 * graph order on the copy as it is being permuted, so a layer's columns are searched with its rows already placed.
 */
export function tileTrans(g: Graph, opts: TileTransOptions = {}): TileTransResult {
  const t0 = performance.now();
  const mode = opts.mode ?? 'sort';
  const kind = opts.importance ?? 'l1';
  if (mode === 'search' && !opts.pattern)
    throw new ReproError('--tiletrans=search needs the pruning pattern (--tile or --pattern) and --sparsity');
  const work = g.clone(true);
  const grads = opts.grads && new Map(opts.grads);
  const coupled = channelGroups(work);
  const groups = [...coupled, ...headDimGroups(work, coupled.length)];
  const scored = new Set(prunableLayers(work, opts.skip).map((v) => v.node.name));
  const budgets =
    mode === 'search' && opts.pattern!.kind === 'tile' ? searchBudgets(g, opts) : new Map<string, number>();
  const permutations: GroupPermutation[] = [];
  const fixed: TileTransReport['fixed'] = [];
  const progress = progressLines(opts.log, `tiletrans ${mode}`, groups.length);
  for (const [i, gr] of groups.entries()) {
    progress.step(i, `next: ${groupKey(gr)}`);
    if (gr.fixed || gr.producers.length === 0) {
      if (gr.producers.length) fixed.push({ id: gr.id, size: gr.size, reason: gr.reasons[0] ?? 'fixed' });
      continue;
    }
    const aff = affectedLayers(work, gr, kind, scored, grads);
    let perm = sortPermutation(rowScores(aff, gr.size), gr.cuts);
    if (mode === 'search') perm = searchGroup(aff, perm, gr.cuts, opts.pattern!, budgets, gr.id);
    if (isIdentity(perm)) continue;
    applyPermutation(work, gr, perm);
    if (grads) permuteGrads(grads, aff, perm);
    permutations.push({ group: groupKey(gr), perm: Array.from(perm) });
  }
  progress.step(groups.length, 'all groups');
  const report = { mode, groups: groups.length, permuted: permutations.length, fixed, ms: performance.now() - t0 };
  return { graph: work, permutations, report, ...(grads ? { grads } : {}) };
}

/** A copy of `g` with saved permutations applied (groups found by key); the input is untouched. */
export function applyPermutations(g: Graph, permutations: GroupPermutation[]): Graph {
  const out = g.clone(true);
  const byKey = new Map([...channelGroups(out), ...headDimGroups(out)].map((gr) => [groupKey(gr), gr]));
  for (const p of permutations) {
    const gr = byKey.get(p.group);
    if (!gr)
      throw new ReproError(
        `TileTrans plan: this model has no channel group written by '${p.group}'; the plan was made for another model`,
      );
    applyPermutation(out, gr, p.perm);
  }
  return out;
}

/** Keep Taylor gradients aligned with the weights they belong to after a group permutation. */
function permuteGrads(grads: GradMap, aff: ReturnType<typeof affectedLayers>, perm: Int32Array): void {
  for (const a of aff) {
    const m = grads.get(a.view.weight);
    if (m) grads.set(a.view.weight, permuteGemm(m, a.view.rows, a.view.cols, a.side, sourceMap(a, perm)));
  }
}

function searchGroup(
  aff: ReturnType<typeof affectedLayers>,
  sorted: Int32Array,
  cuts: number[],
  p: Pattern,
  budgets: Map<string, number>,
  seed: number,
): Int32Array {
  const obj = new Objective(
    aff,
    p,
    aff.map((a) => budgets.get(a.view.node.name) ?? 0),
  );
  const identity = Int32Array.from({ length: sorted.length }, (_, i) => i);
  const base = obj.perLayer(identity);
  const sortVals = obj.perLayer(sorted);
  const start = noLayerWorse(sortVals, base) && total(sortVals) >= total(base) ? sorted : identity;
  // Cut blocks (grouped convs, attention heads): N:M swaps stay inside a block; tile refinement is not cut-aware.
  if (cuts.length > 2 && p.kind === 'tile') return start;
  const refined = p.kind === 'tile' ? refineTiles(obj, start, p) : searchNM(aff, start, p.n, p.m, seed, cuts);
  const vals = obj.perLayer(refined);
  return noLayerWorse(vals, base) && total(vals) >= total(obj.perLayer(start)) ? refined : start;
}
