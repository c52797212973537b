/**
 * The no-fold baselines: drop the channels with the smallest L1 / L2 filter norm (the producer's
 * weight rows, Li et al. 2017), or a seeded random subset. Scores are computed by the caller from
 * whatever rows define "the filter" (all producers of a coupled group summed).
 */
import { SeededRng } from '../../util/random.js';
import { type Fold, selectionFold } from './types.js';

export type NormCriterion = 'l1' | 'l2' | 'random';

/** Remove the `remove` lowest-scoring channels (ties: lower index removed first). */
export function selectByScore(scores: ArrayLike<number>, remove: number): Fold {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]! || a - b);
  const removed = order.slice(0, remove);
  return selectionFold(
    n,
    removed,
    removed.map((i) => scores[i]!),
  );
}

export function randomSelect(n: number, remove: number, seed = 0): Fold {
  const perm = new SeededRng(seed).permutation(n);
  return selectionFold(n, Array.from(perm.subarray(0, remove)));
}

/** Per-row L1 or L2 norm of a row-major rows×cols matrix (rows = channels). */
export function rowNorms(data: ArrayLike<number>, rows: number, cols: number, kind: 'l1' | 'l2'): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) {
      const v = data[r * cols + c]!;
      s += kind === 'l1' ? Math.abs(v) : v * v;
    }
    out[r] = kind === 'l1' ? s : Math.sqrt(s);
  }
  return out;
}
