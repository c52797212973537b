/**
 * REAP's greedy selection with least-squares reconstruction, for units that are blocks of columns (attention heads:
 * d behaviours each). Every step removes the head whose behaviours the survivors explain best, measured in the
 * next layer's output: removing head S from survivors K (+ the constant) costs tr(W_Sᵀ (G_SS − G_SK G_KK⁻¹ G_KS) W_S),
 * the output energy least squares cannot recover, and folds W_K += C·W_S with C = G_KK⁻¹ G_KS. With H = (G_{K∪S})⁻¹
 * both come from one inverse per step: the Schur complement is (H_SS)⁻¹ and C = −H_KS (H_SS)⁻¹. With heads of one
 * column this is exactly REAP's per-step rule (cost ‖w‖²/H_ii).
 */
import { type Mat, spdInverse } from '../../linalg/index.js';
import { type Fold, type LayerProblem, type RidgeOptions, ridged } from '../reap/types.js';

function sub(G: Float64Array, d: number, rows: number[], cols: number[]): Mat {
  const out = new Float64Array(rows.length * cols.length);
  rows.forEach((r, a) => {
    cols.forEach((c, b) => {
      out[a * cols.length + b] = G[r * d + c]!;
    });
  });
  return { rows: rows.length, cols: cols.length, data: out };
}

/** One candidate head: its cost and the fold coefficients C (|K| × |S|) onto the other survivors `K`. */
interface Candidate {
  head: number;
  cost: number;
  K: number[];
  C: Float64Array;
}

function evaluateHead(Hinv: Mat, idx: number[], S: number[], cur: Float64Array, m: number, head: number): Candidate {
  const pos = S.map((c) => idx.indexOf(c));
  const kpos = idx.map((_, i) => i).filter((i) => !pos.includes(i));
  const hSS = spdInverse(sub(Hinv.data, idx.length, pos, pos)); // Schur complement of the survivors
  const s = S.length;
  let cost = 0;
  for (let x = 0; x < m; x++)
    for (let a = 0; a < s; a++)
      for (let b = 0; b < s; b++) cost += cur[S[a]! * m + x]! * hSS.data[a * s + b]! * cur[S[b]! * m + x]!;
  const hKS = sub(Hinv.data, idx.length, kpos, pos);
  const C = new Float64Array(kpos.length * s);
  for (let k = 0; k < kpos.length; k++)
    for (let b = 0; b < s; b++) {
      let v = 0;
      for (let a = 0; a < s; a++) v -= hKS.data[k * s + a]! * hSS.data[a * s + b]!;
      C[k * s + b] = v;
    }
  return { head, cost, K: kpos.map((i) => idx[i]!), C };
}

/** W_K += C·W_S on the current rows and on T (rows over original columns; row n = the constant). */
function fold(c: Candidate, S: number[], cur: Float64Array, m: number, T: Float64Array, n: number): void {
  c.K.forEach((k, r) => {
    S.forEach((j, b) => {
      const coef = c.C[r * S.length + b]!;
      if (coef === 0) return;
      for (let col = 0; col < n; col++) T[k * n + col] += coef * T[j * n + col]!;
      if (k < n) for (let x = 0; x < m; x++) cur[k * m + x] += coef * cur[j * m + x]!;
    });
  });
}

/**
 * Remove `remove` heads of `headDim` columns each (head h = columns [h·d, (h+1)·d)). The answer is a column-level
 * Fold (keep = the kept heads' columns) that applyFold-style code writes into the next layer and its bias.
 */
export function reapHeads(p: LayerProblem, headDim: number, remove: number, opts: RidgeOptions = {}): Fold {
  const n = p.weights.rows;
  const m = p.weights.cols;
  const G = ridged(p, opts.ridge);
  const d = p.gram.rows;
  const T = new Float64Array((n + 1) * n);
  for (let i = 0; i < n; i++) T[i * n + i] = 1;
  const cur = p.weights.data.slice();
  const cols = (h: number) => Array.from({ length: headDim }, (_, j) => h * headDim + j);
  let alive = Array.from({ length: n / headDim }, (_, h) => h);
  const removed: number[] = [];
  const costs: number[] = [];
  for (let step = 0; step < remove; step++) {
    const idx = [...alive.flatMap(cols), ...(p.withConst ? [n] : [])];
    const Hinv = spdInverse(sub(G, d, idx, idx));
    let best: Candidate | undefined;
    for (const h of alive) {
      const c = evaluateHead(Hinv, idx, cols(h), cur, m, h);
      if (!best || c.cost < best.cost) best = c;
    }
    fold(best!, cols(best!.head), cur, m, T, n);
    alive = alive.filter((h) => h !== best!.head);
    removed.push(best!.head);
    costs.push(best!.cost);
  }
  const keep = alive.flatMap(cols);
  const transform = new Float64Array(keep.length * n);
  keep.forEach((j, k) => {
    transform.set(T.subarray(j * n, j * n + n), k * n);
  });
  return {
    keep,
    removed: removed.flatMap(cols),
    transform: { rows: keep.length, cols: n, data: transform },
    constRow: T.slice(n * n, n * n + n),
    costs,
  };
}
