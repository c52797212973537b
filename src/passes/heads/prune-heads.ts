/**
 * Structured pruning of whole attention heads (analysis/attention-heads.ts finds the blocks and cuts them):
 * choose the heads to keep in every block by L1 norm or by REAP on calibration behaviours, fold the removed heads
 * into the output projection (REAP: weights and bias by least squares), then cut. The input graph is untouched.
 */
import { type AttentionBlock, attentionBlocks } from '../../analysis/attention-heads.js';
import { removeHeads } from '../../analysis/attention-heads-apply.js';
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import { f32 } from '../../ir/tensor.js';
import type { Mat } from '../../linalg/index.js';
import { ReproError } from '../../util/errors.js';
import { matmulBias } from '../cut/outgoing.js';
import { type CalibOptions, calibrateGrams } from '../reap/calibrate.js';
import { constWeights, foldedWeights } from '../reap/types.js';
import { reapHeads } from './reap-heads.js';

export const HEAD_CRITERIA = ['l1', 'reap'] as const;
export type HeadCriterion = (typeof HEAD_CRITERIA)[number];

export interface HeadPruneOptions {
  method: HeadCriterion;
  /** Fraction of heads removed in every block (at least one head stays). */
  ratio: number;
  /** Per-head behaviour Grams by block key (REAP), from `headGrams`. */
  grams?: Map<string, Mat>;
  ridge?: number;
}

export interface HeadPruneResult {
  graph: Graph;
  /** [before, after] heads per block key. */
  heads: Record<string, [number, number]>;
}

/** Σ|w| over a head's q/k/v columns (and biases) and its output-projection rows (fused qkv weights counted once). */
export function headL1(g: Graph, b: AttentionBlock): Float64Array {
  const s = new Float64Array(b.heads);
  const width = b.heads * b.headDim;
  const headOf = (unit: number) => Math.floor((unit % width) / b.headDim);
  const add = (name: string | undefined, byRow: boolean) => {
    const t = name ? g.initializers.get(name) : undefined;
    if (!t) return;
    const cols = t.dims.length === 2 ? t.dims[1]! : t.dims[0]!;
    const data = t.data as Float32Array;
    for (let i = 0; i < data.length; i++) s[headOf(byRow ? Math.floor(i / cols) : i % cols)] += Math.abs(data[i]!);
  };
  const seen = new Set<string>();
  for (const p of [b.q, b.k, b.v]) {
    if (seen.has(p.weight)) continue;
    seen.add(p.weight);
    add(p.weight, false);
    add(p.bias, false);
  }
  add(b.proj.weight, true);
  return s;
}

/** Calibration Grams of every block's per-head outputs (the projection's input), token positions sampled. */
export function headGrams(g: Graph, ds: Dataset, opts: CalibOptions = {}): Promise<Map<string, Mat>> {
  const targets = attentionBlocks(g).map((b) => ({
    key: b.key,
    value: b.value,
    size: b.heads * b.headDim,
    offset: 0,
    block: 1,
    channelsLast: true,
  }));
  return calibrateGrams(g, ds, targets, opts);
}

/** The projection weight [H·d, out] as float64 rows, and the name of its bias (the Add after it), if any. */
function projection(g: Graph, b: AttentionBlock): { W: Mat; bias?: string } {
  const t = g.initializers.get(b.proj.weight)!;
  const W = { rows: t.dims[0]!, cols: t.dims[1]!, data: Float64Array.from(t.data as Float32Array) };
  const bias = matmulBias(g, b.proj.matmul);
  return bias ? { W, bias } : { W };
}

/** One block's decision: the heads kept and, for REAP, the projection's new kept rows and bias (float64). */
export interface HeadCut {
  key: string;
  heads: number;
  keep: number[];
  /** keep.length·d × out rows of the output projection after the least-squares fold. */
  projRows?: Float64Array;
  /** The projection's bias after the fold (absent when it has no bias Add). */
  bias?: Float64Array;
}

/** Heads kept in one block (ascending) and, for REAP, the fold into the projection. */
function chooseHeads(g: Graph, b: AttentionBlock, remove: number, opts: HeadPruneOptions): HeadCut {
  if (opts.method === 'l1') {
    const s = headL1(g, b);
    const order = [...s.keys()].sort((x, y) => s[x]! - s[y]! || x - y);
    return { key: b.key, heads: b.heads, keep: order.slice(remove).sort((x, y) => x - y) };
  }
  const G = opts.grams?.get(b.key);
  if (!G) throw new ReproError(`head pruning by REAP: no calibration Gram for block '${b.key}'; run headGrams first`);
  const { W, bias } = projection(g, b);
  const n = b.heads * b.headDim;
  const gram = bias ? G : { rows: n, cols: n, data: dropLast(G) };
  const fold = reapHeads({ gram, withConst: !!bias, weights: W }, b.headDim, remove, { ridge: opts.ridge });
  const keep = fold.keep.filter((c) => c % b.headDim === 0).map((c) => c / b.headDim);
  const cut: HeadCut = { key: b.key, heads: b.heads, keep, projRows: foldedWeights(fold, W).data };
  if (bias) {
    const wc = constWeights(fold, W);
    cut.bias = Float64Array.from(g.initializers.get(bias)!.data as Float32Array, (v, x) => v + wc[x]!);
  }
  return cut;
}

function dropLast(G: Mat): Float64Array {
  const n = G.rows - 1;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = G.data[i * G.cols + j]!;
  return out;
}

/** Every block's cut for `ratio` of its heads (rounded, at least one head kept); the graph is not changed. */
export function planHeads(g: Graph, opts: HeadPruneOptions): HeadCut[] {
  if (!(opts.ratio >= 0 && opts.ratio < 1)) throw new ReproError(`head ratio ${opts.ratio}: must be in [0, 1)`);
  const cuts: HeadCut[] = [];
  for (const b of attentionBlocks(g)) {
    const keep = Math.max(1, Math.round(b.heads * (1 - opts.ratio)));
    if (keep < b.heads) cuts.push(chooseHeads(g, b, b.heads - keep, opts));
  }
  return cuts;
}

/** A copy of `g0` with the cuts made (REAP folds written into the projections first). */
export function cutHeads(g0: Graph, cuts: HeadCut[]): Graph {
  const g = g0.clone(true);
  const blocks = new Map(attentionBlocks(g).map((b) => [b.key, b] as const));
  for (const c of cuts) {
    const b = blocks.get(c.key);
    if (b?.heads !== c.heads)
      throw new ReproError(
        `head plan: block '${c.key}' ${b ? `has ${b.heads} heads, the plan expects ${c.heads}` : 'is not an attention block here'}; the plan was made for another model`,
      );
    if (c.projRows) writeRows(g, b, c);
    removeHeads(g, b, c.keep);
  }
  return g;
}

/** Put a REAP cut's folded rows at the kept heads' rows of the projection, and its bias. */
function writeRows(g: Graph, b: AttentionBlock, c: HeadCut): void {
  const t = g.initializers.get(b.proj.weight)!;
  const out = (t.data as Float32Array).slice();
  const cols = t.dims[1]!;
  c.keep.forEach((h, k) => {
    for (let j = 0; j < b.headDim; j++)
      for (let x = 0; x < cols; x++) out[(h * b.headDim + j) * cols + x] = c.projRows![(k * b.headDim + j) * cols + x]!;
  });
  g.initializers.set(b.proj.weight, f32([...t.dims], out));
  const bias = matmulBias(g, b.proj.matmul);
  if (bias && c.bias) g.initializers.set(bias, f32([c.bias.length], Float32Array.from(c.bias)));
}

/** Prune a copy of `g0`: `ratio` of the heads of every attention block (rounded, at least one head kept). */
export function pruneHeads(g0: Graph, opts: HeadPruneOptions): HeadPruneResult {
  const cuts = planHeads(g0, opts);
  const heads = Object.fromEntries(cuts.map((c) => [c.key, [c.heads, c.keep.length] as [number, number]]));
  return { graph: cutHeads(g0, cuts), heads };
}
