/**
 * Reconstruction error of a fold: ‖B·W − (B_keep·W' + 1·w_c)‖²_F, the energy of the change in the next
 * layer's pre-activations over the calibration data, computed from the Gram alone as tr(Dᵀ G D).
 */
import type { Mat } from '../../linalg/index.js';
import { type Fold, type LayerProblem, constWeights, foldedWeights } from './types.js';

export function reconstructionError(p: LayerProblem, f: Fold): number {
  const n = p.weights.rows,
    m = p.weights.cols;
  const d = p.gram.rows;
  const wNew = foldedWeights(f, p.weights);
  // D: d×m difference between the original and the folded outgoing rows (removed rows lose all weight).
  const D = new Float64Array(d * m);
  D.set(p.weights.data);
  f.keep.forEach((j, k) => {
    for (let x = 0; x < m; x++) D[j * m + x]! -= wNew.data[k * m + x]!;
  });
  if (p.withConst) {
    const wc = constWeights(f, p.weights);
    for (let x = 0; x < m; x++) D[n * m + x] = -wc[x]!;
  }
  return quadTrace(p.gram, D, m);
}

/** tr(Dᵀ G D) for a d×m matrix D. */
function quadTrace(g: Mat, D: Float64Array, m: number): number {
  const d = g.rows;
  let s = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const gij = g.data[i * d + j]!;
      if (gij === 0) continue;
      let dot = 0;
      for (let x = 0; x < m; x++) dot += D[i * m + x]! * D[j * m + x]!;
      s += gij * dot;
    }
  }
  return s;
}
