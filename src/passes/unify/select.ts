/**
 * Exact Euclidean projection onto "exactly nu blocks unified and np blocks pruned" (the rest free).
 *
 * Minimize Σ_U u_b + Σ_P p_b over disjoint U, P with |U| = nu, |P| = np (free blocks cost 0).
 * Exchange argument: if a ∈ P and b ∈ U with d_a > d_b, where d = p − u, swapping them lowers the cost
 * by d_a − d_b. So some optimum puts every P block before every U block in d-order: for a split k,
 * P = the np cheapest-to-prune among the first k blocks by d, U = the nu cheapest-to-unify among the rest.
 * Scanning k with two running top-k sums gives the optimum in O(n log n).
 */
import { STATE } from './blocks.js';

export function selectBlockStates(
  unify: ArrayLike<number>,
  prune: ArrayLike<number>,
  nu: number,
  np: number,
): Uint8Array {
  const n = unify.length;
  if (nu + np > n) throw new Error(`cannot unify ${nu} and prune ${np} of ${n} blocks`);
  const states = new Uint8Array(n);
  if (nu + np === 0) return states;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => prune[a]! - unify[a]! - (prune[b]! - unify[b]!) || a - b,
  );
  const prefix = smallestSums(
    order.map((i) => prune[i]!),
    np,
  ); // prefix[k] = sum of np smallest of first k
  const suffix = smallestSums(order.map((i) => unify[i]!).reverse(), nu); // suffix[j] = of last j
  let bestK = -1;
  let best = Infinity;
  for (let k = np; k <= n - nu; k++) {
    const cost = prefix[k]! + suffix[n - k]!;
    if (cost < best) {
      best = cost;
      bestK = k;
    }
  }
  const head = order
    .slice(0, bestK)
    .sort((a, b) => prune[a]! - prune[b]! || a - b)
    .slice(0, np);
  const tail = order
    .slice(bestK)
    .sort((a, b) => unify[a]! - unify[b]! || a - b)
    .slice(0, nu);
  for (const b of head) states[b] = STATE.pruned;
  for (const b of tail) states[b] = STATE.unified;
  return states;
}

/** out[k] = sum of the `m` smallest values among the first k (Infinity while k < m). Max-heap of size m. */
function smallestSums(values: number[], m: number): Float64Array {
  const out = new Float64Array(values.length + 1).fill(Infinity);
  if (m === 0) return out.fill(0);
  const heap: number[] = [];
  let sum = 0;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (heap.length < m) {
      heapPush(heap, v);
      sum += v;
    } else if (v < heap[0]!) {
      sum += v - heap[0]!;
      heapReplaceTop(heap, v);
    }
    if (heap.length === m) out[k + 1] = sum;
  }
  return out;
}

function heapPush(h: number[], v: number): void {
  h.push(v);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]! >= h[i]!) break;
    [h[p], h[i]] = [h[i]!, h[p]!];
    i = p;
  }
}

function heapReplaceTop(h: number[], v: number): void {
  h[0] = v;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1,
      r = l + 1;
    let m = i;
    if (l < h.length && h[l]! > h[m]!) m = l;
    if (r < h.length && h[r]! > h[m]!) m = r;
    if (m === i) return;
    [h[m], h[i]] = [h[i]!, h[m]!];
    i = m;
  }
}
