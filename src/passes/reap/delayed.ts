/**
 * Queued symmetric low-rank updates for the blocked REAP: M_true = M + sign·Σ_k a_k a_kᵀ (one vector
 * per update) or M + Σ_k (a_k b_kᵀ + b_k a_kᵀ) (two). Vectors are stored row-major [i·block + k], so
 * applying the queue is the product A·Aᵀ (or A·Bᵀ + B·Aᵀ) over the alive rows, computed by the
 * register-blocked gemm kernel on a compact copy and scattered into the upper triangle of M.
 */
import { gemmNT } from '../../linalg/gemm.js';

export interface Delayed {
  d: number;
  block: number;
  count: number;
  a: Float64Array;
  b?: Float64Array;
}

export function newDelayed(d: number, block: number, twoSided: boolean): Delayed {
  return {
    d,
    block,
    count: 0,
    a: new Float64Array(d * block),
    ...(twoSided ? { b: new Float64Array(d * block) } : {}),
  };
}

export function addDelayed(q: Delayed, a: ArrayLike<number>, b?: ArrayLike<number>): void {
  const k = q.count++;
  for (let i = 0; i < q.d; i++) {
    q.a[i * q.block + k] = a[i]!;
    if (q.b && b) q.b[i * q.block + k] = b[i]!;
  }
}

/** Apply and clear the queue on the upper triangle of M (d×d) restricted to alive rows/columns. */
export function flushDelayed(M: Float64Array, q: Delayed, alive: Uint8Array, sign: number): void {
  const cnt = q.count;
  if (cnt === 0) return;
  const idx: number[] = [];
  for (let i = 0; i < q.d; i++) if (alive[i]) idx.push(i);
  const m = idx.length;
  const A = new Float64Array(m * cnt);
  const Bc = q.b ? new Float64Array(m * cnt) : undefined;
  idx.forEach((i, r) => {
    for (let k = 0; k < cnt; k++) {
      A[r * cnt + k] = q.a[i * q.block + k]!;
      if (Bc) Bc[r * cnt + k] = q.b![i * q.block + k]!;
    }
  });
  const P = new Float64Array(m * m);
  if (Bc) {
    // A·Bᵀ + B·Aᵀ = [A B]·[B A]ᵀ: one product with K = 2·cnt.
    const L = new Float64Array(m * 2 * cnt),
      R = new Float64Array(m * 2 * cnt);
    for (let r = 0; r < m; r++) {
      L.set(A.subarray(r * cnt, r * cnt + cnt), r * 2 * cnt);
      L.set(Bc.subarray(r * cnt, r * cnt + cnt), r * 2 * cnt + cnt);
      R.set(Bc.subarray(r * cnt, r * cnt + cnt), r * 2 * cnt);
      R.set(A.subarray(r * cnt, r * cnt + cnt), r * 2 * cnt + cnt);
    }
    gemmNT(L, R, P, m, m, 2 * cnt, true);
  } else {
    gemmNT(A, A, P, m, m, cnt, true);
  }
  const d = q.d;
  for (let x = 0; x < m; x++) {
    const ri = idx[x]! * d;
    for (let y = x; y < m; y++) M[ri + idx[y]!] += sign * P[x * m + y]!;
  }
  q.count = 0;
}
