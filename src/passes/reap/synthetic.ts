/** Synthetic layer problems for timing the REAP selection (the demo's scaling plot and `reprune bench reap`). */
import { SeededRng } from '../../util/random.js';
import type { LayerProblem } from './types.js';

/** Random SPD behaviour Gram (rank-64 + diagonal, cheap to build at n = 2048) and outgoing weights. */
export function randomProblem(n: number, m: number, seed: number): LayerProblem {
  const rng = new SeededRng(seed);
  const r = 64;
  const U = rng.fillNormal(new Float64Array(n * r));
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += U[i * r + k]! * U[j * r + k]!;
      G[i * n + j] = s;
      G[j * n + i] = s;
    }
    G[i * n + i] += 1 + rng.next();
  }
  return {
    gram: { rows: n, cols: n, data: G },
    withConst: false,
    weights: { rows: n, cols: m, data: rng.fillNormal(new Float64Array(n * m)) },
  };
}
