/**
 * Compose REAP's recorded folds into the final transform. Step s removed p_s and added c^(s)_i times
 * p_s's CURRENT row to every survivor i; p_s's row at that time was Y_s = e_{p_s} + Σ_{l<s} c^(l)_{p_s} Y_l,
 * i.e. Y = (I − L)⁻¹ over the removed neurons with L[s][l] = c^(l)_{p_s} (forward substitution), and a
 * survivor's final row is e_i + Σ_s c^(s)_i Y_s (one matrix product).
 */
import { matmul } from '../../linalg/index.js';
import type { Fold } from './types.js';

export function composeFolds(
  n: number,
  withConst: boolean,
  removed: number[],
  coefs: Float64Array,
  costs: number[],
): Fold {
  const r = removed.length;
  const d = n + (withConst ? 1 : 0);
  // Y[s][l]: weight of original row p_l in Y_s (lower triangular, unit diagonal).
  const Y = new Float64Array(r * r);
  for (let s = 0; s < r; s++) {
    const ys = s * r,
      ps = removed[s]!;
    Y[ys + s] = 1;
    for (let l = 0; l < s; l++) {
      const L = coefs[l * d + ps]!;
      if (L === 0) continue;
      const yl = l * r;
      for (let t = 0; t <= l; t++) Y[ys + t] += L * Y[yl + t]!;
    }
  }
  const gone = new Set(removed);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (!gone.has(i)) keep.push(i);
  const rowsOut = [...keep, ...(withConst ? [n] : [])];
  const C = new Float64Array(rowsOut.length * r);
  rowsOut.forEach((i, a) => {
    for (let s = 0; s < r; s++) C[a * r + s] = coefs[s * d + i]!;
  });
  const Z =
    r > 0
      ? matmul({ rows: rowsOut.length, cols: r, data: C }, { rows: r, cols: r, data: Y }).data
      : new Float64Array(0);
  const transform = new Float64Array(keep.length * n);
  keep.forEach((j, k) => {
    transform[k * n + j] = 1;
    for (let l = 0; l < r; l++) transform[k * n + removed[l]!] += Z[k * r + l]!;
  });
  const constRow = new Float64Array(n);
  if (withConst) for (let l = 0; l < r; l++) constRow[removed[l]!] = Z[keep.length * r + l]!;
  return { keep, removed: [...removed], transform: { rows: keep.length, cols: n, data: transform }, constRow, costs };
}
