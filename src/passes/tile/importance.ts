/**
 * Element importance in the GEMM view: |w| (l1), w² (l2) or Taylor (w·ḡ)², ḡ = gradient averaged over batches.
 */
import { ReproError } from '../../util/errors.js';

export type ImportanceKind = 'l1' | 'l2' | 'taylor';

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
    if (!grad) throw new ReproError('--importance taylor: needs gradients from training data; not available for this command yet, use l1 or l2');
    for (let i = 0; i < w.length; i++) { const t = w[i]! * grad[i]!; out[i] = t * t; }
  }
  return out;
}
