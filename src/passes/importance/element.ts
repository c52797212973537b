/**
 * Element importance in the GEMM view: |w| (l1), w² (l2) or Taylor (w·ḡ)², ḡ = gradient averaged over batches
 * (computed by taylor.ts). Gradients travel as a GradMap in GEMM-view layout; TileTrans permutes them together
 * with the weights (permuteGemm), so every later importance read sees the gradient of the permuted model.
 */
import { ReproError } from '../../util/errors.js';

export type ImportanceKind = 'l1' | 'l2' | 'taylor';

/** Mean loss gradient per weight initializer, row-major GEMM view [rows, cols]. */
export type GradMap = Map<string, Float32Array>;

export function parseImportance(s: string, flag = '--importance'): ImportanceKind {
  if (s === 'l1' || s === 'l2' || s === 'taylor') return s;
  throw new ReproError(`${flag} ${s}: expected l1, l2 or taylor`);
}

/** Importance of every element of a row-major GEMM-view matrix; `grad` (same layout) is needed for taylor. */
export function elementImportance(w: Float32Array, kind: ImportanceKind, grad?: Float32Array): Float32Array {
  const out = new Float32Array(w.length);
  if (kind === 'l1') for (let i = 0; i < w.length; i++) out[i] = Math.abs(w[i]!);
  else if (kind === 'l2') for (let i = 0; i < w.length; i++) out[i] = w[i]! * w[i]!;
  else {
    if (!grad)
      throw new ReproError(
        '--importance taylor: needs gradients from training data; give --data (e.g. mnist), or use l1 or l2',
      );
    if (grad.length !== w.length)
      throw new ReproError(
        `--importance taylor: gradient has ${grad.length} values for a weight of ${w.length}; gradients were computed on another model`,
      );
    for (let i = 0; i < w.length; i++) {
      const t = w[i]! * grad[i]!;
      out[i] = t * t;
    }
  }
  return out;
}

/**
 * A row-major [rows, cols] matrix with one side reordered: position p takes original row (or column) src[p].
 * Returns a new array (GradMaps shared between clones must never be mutated in place).
 */
export function permuteGemm(
  m: Float32Array,
  rows: number,
  cols: number,
  side: 'row' | 'col',
  src: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(m.length);
  if (side === 'row') {
    for (let p = 0; p < rows; p++) out.set(m.subarray(src[p]! * cols, (src[p]! + 1) * cols), p * cols);
  } else {
    for (let r = 0; r < rows; r++) for (let p = 0; p < cols; p++) out[r * cols + p] = m[r * cols + src[p]!]!;
  }
  return out;
}
