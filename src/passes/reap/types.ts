/**
 * The layer-wise problem shared by REAP, NU and the norm baselines: n neurons (channels) of a layer,
 * their behaviours summarised by a Gram matrix, and each neuron's outgoing weights in the NEXT layer.
 * Every method answers with a `Fold`: which neurons to keep and how the kept (and the bias) rows of the
 * next layer are rewritten so the removed neurons' contribution is reconstructed from the kept ones.
 */
import type { Mat } from '../../linalg/index.js';

export interface LayerProblem {
  /**
   * Behaviour Gram BᵀB over the n neurons; when `withConst`, one more last row/column for the constant
   * behaviour 1 (G[n][n] = number of samples, G[i][n] = Σ b_i). The constant is never pruned: folding into
   * it is folding into the next layer's bias.
   */
  gram: Mat;
  withConst: boolean;
  /** n×m: row j = neuron j's outgoing weights, flattened (for conv: the slice W_{l+1}[:, j, :, :]). */
  weights: Mat;
}

export interface Fold {
  /** Kept neurons, ascending. */
  keep: number[];
  /** Removed neurons in the order they were removed. */
  removed: number[];
  /** keep.length × n: new outgoing row k = Σ_j transform[k][j] · w_j (identity columns for pure selection). */
  transform: Mat;
  /** n coefficients: the bias receives Σ_j constRow[j] · (w_j summed over each output's block). */
  constRow: Float64Array;
  /** Cost paid at each removal (method-specific estimate of the added output error). */
  costs: number[];
}

export interface RidgeOptions {
  /** Relative ridge: λ = ridge · tr(G_neurons)/n added to the diagonal (default 1e-6). */
  ridge?: number;
}

/** G + λI with λ = rel·(mean neuron diagonal); an all-zero Gram falls back to λ = rel. */
export function ridged(p: LayerProblem, rel = 1e-6): Float64Array {
  const d = p.gram.rows;
  const n = p.weights.rows;
  if (d !== n + (p.withConst ? 1 : 0) || p.gram.cols !== d) {
    throw new Error(
      `layer problem: Gram is ${p.gram.rows}x${p.gram.cols} but ${n} neurons${p.withConst ? ' + constant' : ''}`,
    );
  }
  let tr = 0;
  for (let i = 0; i < n; i++) tr += p.gram.data[i * d + i]!;
  const lambda = tr > 0 ? (rel * tr) / n : rel;
  const g = p.gram.data.slice();
  for (let i = 0; i < d; i++) g[i * d + i] += lambda;
  return g;
}

/** A pure selection (no fold): the baselines' answer. */
export function selectionFold(n: number, removed: number[], costs: number[] = []): Fold {
  const gone = new Set(removed);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (!gone.has(i)) keep.push(i);
  const t = new Float64Array(keep.length * n);
  keep.forEach((j, k) => {
    t[k * n + j] = 1;
  });
  return {
    keep,
    removed: [...removed],
    transform: { rows: keep.length, cols: n, data: t },
    constRow: new Float64Array(n),
    costs,
  };
}

/** The folded outgoing weights transform·W (keep.length × m). */
export function foldedWeights(f: Fold, w: Mat): Mat {
  const n = w.rows,
    m = w.cols,
    k = f.keep.length;
  const out = new Float64Array(k * m);
  for (let r = 0; r < k; r++) {
    const tr = r * n;
    for (let j = 0; j < n; j++) {
      const c = f.transform.data[tr + j]!;
      if (c === 0) continue;
      const wj = j * m,
        o = r * m;
      for (let x = 0; x < m; x++) out[o + x] += c * w.data[wj + x]!;
    }
  }
  return { rows: k, cols: m, data: out };
}

/** Σ_j constRow[j]·w_j: the m-vector the constant behaviour's outgoing row receives. */
export function constWeights(f: Fold, w: Mat): Float64Array {
  const n = w.rows,
    m = w.cols;
  const out = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    const c = f.constRow[j]!;
    if (c === 0) continue;
    for (let x = 0; x < m; x++) out[x] += c * w.data[j * m + x]!;
  }
  return out;
}
