/**
 * Structured pruning of whole attention heads (analysis/attention-heads.ts finds the blocks and cuts them):
 * choose the heads to keep in every block by L1 norm or by REAP on calibration behaviours, fold the removed heads
 * into the output projection (REAP: weights and bias by least squares), then cut. The input graph is untouched.
 */
import { type AttentionBlock, attentionBlocks, removeHeads } from '../../analysis/attention-heads.js';
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import { f32 } from '../../ir/tensor.js';
import type { Mat } from '../../linalg/index.js';
import { ReproError } from '../../util/errors.js';
import { matmulBias } from '../cut/outgoing.js';
import { type CalibOptions, calibrateGrams } from '../reap/calibrate.js';
import { constWeights, type Fold, foldedWeights } from '../reap/types.js';
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

/** Σ|w| over a head's q/k/v columns (and biases) and its output-projection rows. */
export function headL1(g: Graph, b: AttentionBlock): Float64Array {
  const s = new Float64Array(b.heads);
  const add = (name: string | undefined, byRow: boolean) => {
    const t = name ? g.initializers.get(name) : undefined;
    if (!t) return;
    const cols = t.dims.length === 2 ? t.dims[1]! : t.dims[0]!;
    const data = t.data as Float32Array;
    for (let i = 0; i < data.length; i++) {
      const unit = byRow ? Math.floor(i / cols) : t.dims.length === 2 ? i % cols : i;
      s[Math.floor(unit / b.headDim)] += Math.abs(data[i]!);
    }
  };
  for (const p of [b.q, b.k, b.v]) {
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

/** Write a REAP fold into the projection: kept rows ← transform·W, bias += constRow·W. */
function writeFold(g: Graph, b: AttentionBlock, fold: Fold): void {
  const { W, bias } = projection(g, b);
  const rows = foldedWeights(fold, W);
  const out = Float32Array.from(W.data);
  fold.keep.forEach((r, k) => {
    for (let x = 0; x < W.cols; x++) out[r * W.cols + x] = rows.data[k * W.cols + x]!;
  });
  g.initializers.set(b.proj.weight, f32([W.rows, W.cols], out));
  if (!bias) return;
  const wc = constWeights(fold, W);
  const bt = (g.initializers.get(bias)!.data as Float32Array).map((v, x) => v + wc[x]!);
  g.initializers.set(bias, f32([W.cols], bt));
}

/** Heads kept in one block (ascending), folding the removed ones into the projection for REAP. */
function chooseHeads(g: Graph, b: AttentionBlock, remove: number, opts: HeadPruneOptions): number[] {
  if (opts.method === 'l1') {
    const s = headL1(g, b);
    const order = [...s.keys()].sort((x, y) => s[x]! - s[y]! || x - y);
    return order.slice(remove).sort((x, y) => x - y);
  }
  const G = opts.grams?.get(b.key);
  if (!G) throw new ReproError(`head pruning by REAP: no calibration Gram for block '${b.key}'; run headGrams first`);
  const { W, bias } = projection(g, b);
  const n = b.heads * b.headDim;
  const gram = bias ? G : { rows: n, cols: n, data: dropLast(G) };
  const fold = reapHeads({ gram, withConst: !!bias, weights: W }, b.headDim, remove, { ridge: opts.ridge });
  writeFold(g, b, fold);
  return fold.keep.filter((c) => c % b.headDim === 0).map((c) => c / b.headDim);
}

function dropLast(G: Mat): Float64Array {
  const n = G.rows - 1;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = G.data[i * G.cols + j]!;
  return out;
}

/** Prune a copy of `g0`: `ratio` of the heads of every attention block (rounded, at least one head kept). */
export function pruneHeads(g0: Graph, opts: HeadPruneOptions): HeadPruneResult {
  if (!(opts.ratio >= 0 && opts.ratio < 1)) throw new ReproError(`head ratio ${opts.ratio}: must be in [0, 1)`);
  const g = g0.clone(true);
  const heads: Record<string, [number, number]> = {};
  for (const b of attentionBlocks(g)) {
    const keep = Math.max(1, Math.round(b.heads * (1 - opts.ratio)));
    if (keep >= b.heads) continue;
    removeHeads(g, b, chooseHeads(g, b, b.heads - keep, opts));
    heads[b.key] = [b.heads, keep];
  }
  return { graph: g, heads };
}
