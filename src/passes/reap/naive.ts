/**
 * Reference REAP: the same greedy, recomputed from scratch. Used as the test oracle of `reapFast` and
 * as the "naive" line of the scaling bench.
 *
 * - 'per-candidate' (O(n⁵)): every step, for every candidate p, solve the least squares
 *   b_p ≈ Σ_{i≠p} c_i b_i directly (normal equations on the ridged Gram, LU), cost = residual·‖w_p‖².
 * - 'per-step' (O(n⁴)): every step, invert the survivors' Gram afresh and read costs/coefficients off it.
 * Folds are applied to the explicit outgoing weights each step (no rank-2 bookkeeping).
 */
import { type Mat, solve, spdInverse } from '../../linalg/index.js';
import { type Fold, type LayerProblem, type RidgeOptions, ridged } from './types.js';

export type NaiveMode = 'per-candidate' | 'per-step';

/** The ridged Gram and the current (folded) outgoing rows, with the two quantities every candidate cost needs. */
interface NaiveCtx {
  G: Float64Array;
  d: number;
  /** G restricted to `rows` × `cols`. */
  sub: (rows: number[], cols: number[]) => Mat;
  /** ‖w_i‖² of neuron i's current outgoing row. */
  norm2: (i: number) => number;
}

/** The step's chosen neuron, its cost, and the coefficients that fold it into the survivors `idx`. */
interface Choice {
  best: number;
  bestCost: number;
  bestCoef?: { idx: number[]; c: Float64Array };
}

export function reapNaive(p: LayerProblem, remove: number, opts: RidgeOptions & { mode?: NaiveMode } = {}): Fold {
  const n = p.weights.rows;
  const d = p.gram.rows;
  const G = ridged(p, opts.ridge);
  const mode = opts.mode ?? 'per-candidate';
  // T rows over original neurons (row n = constant), so the answer has the same form as reapFast's.
  const T = new Float64Array((n + 1) * n);
  for (let i = 0; i < n; i++) T[i * n + i] = 1;
  const m = p.weights.cols;
  const cur = p.weights.data.slice(); // current (folded) outgoing rows
  const ctx = naiveCtx(G, d, cur, m);
  let alive: number[] = Array.from({ length: n }, (_, i) => i);
  const removed: number[] = [];
  const costs: number[] = [];
  for (let step = 0; step < remove; step++) {
    const withC = p.withConst ? [...alive, n] : [...alive];
    const { best, bestCost, bestCoef } =
      mode === 'per-step' ? choosePerStep(ctx, alive, withC) : choosePerCandidate(ctx, alive, withC);
    const { idx, c } = bestCoef!;
    idx.forEach((j, b) => {
      const cb = c[b]!;
      for (let col = 0; col < n; col++) T[j * n + col] += cb * T[best * n + col]!;
      if (j < n) for (let x = 0; x < m; x++) cur[j * m + x] += cb * cur[best * m + x]!;
    });
    alive = alive.filter((i) => i !== best);
    removed.push(best);
    costs.push(bestCost);
  }
  return naiveFold(T, n, alive, removed, costs);
}

function naiveCtx(G: Float64Array, d: number, cur: Float64Array, m: number): NaiveCtx {
  const sub = (rows: number[], cols: number[]): Mat => {
    const out = new Float64Array(rows.length * cols.length);
    rows.forEach((r, a) => {
      cols.forEach((c, b) => {
        out[a * cols.length + b] = G[r * d + c]!;
      });
    });
    return { rows: rows.length, cols: cols.length, data: out };
  };
  const norm2 = (i: number) => {
    let s = 0;
    for (let x = 0; x < m; x++) s += cur[i * m + x]! ** 2;
    return s;
  };
  return { G, d, sub, norm2 };
}

/** 'per-step': invert the survivors' Gram once and read every candidate's cost and coefficients off the inverse. */
function choosePerStep(x: NaiveCtx, alive: number[], withC: number[]): Choice {
  const H = spdInverse(x.sub(withC, withC));
  const k = withC.length;
  const ch: Choice = { best: -1, bestCost: Infinity };
  alive.forEach((i, a) => {
    const e = x.norm2(i) / H.data[a * k + a]!;
    if (e < ch.bestCost) {
      ch.bestCost = e;
      ch.best = i;
      const idx = withC.filter((j) => j !== i);
      const c = Float64Array.from(
        withC.map((_, b) => -H.data[b * k + a]! / H.data[a * k + a]!).filter((_, b) => b !== a),
      );
      ch.bestCoef = { idx, c };
    }
  });
  return ch;
}

/** 'per-candidate': for each candidate solve the least squares against the others; cost = residual · ‖w‖². */
function choosePerCandidate({ G, d, sub, norm2 }: NaiveCtx, alive: number[], withC: number[]): Choice {
  const ch: Choice = { best: -1, bestCost: Infinity };
  for (const i of alive) {
    const rest = withC.filter((j) => j !== i);
    const c = solve(sub(rest, rest), sub(rest, [i])).data;
    let r = G[i * d + i]!;
    rest.forEach((j, b) => {
      r -= G[i * d + j]! * c[b]!;
    });
    const e = norm2(i) * r;
    if (e < ch.bestCost) {
      ch.bestCost = e;
      ch.best = i;
      ch.bestCoef = { idx: rest, c: Float64Array.from(c) };
    }
  }
  return ch;
}

/** The kept rows of T (in neuron order) as the transform, and its constant row. */
function naiveFold(T: Float64Array, n: number, alive: number[], removed: number[], costs: number[]): Fold {
  const keep = [...alive].sort((a, b) => a - b);
  const transform = new Float64Array(keep.length * n);
  keep.forEach((j, k) => {
    transform.set(T.subarray(j * n, j * n + n), k * n);
  });
  return {
    keep,
    removed,
    transform: { rows: keep.length, cols: n, data: transform },
    constRow: T.slice(n * n, n * n + n),
    costs,
  };
}
