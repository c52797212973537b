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
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = prune[i]! - unify[i]!;
  const order = argsortStable(d, identity(n)); // by d, ties by block index
  const byOrder = (v: ArrayLike<number>) => gather(v, order);
  const prefix = smallestSums(byOrder(prune), np); // prefix[k] = sum of np smallest of first k
  const suffix = smallestSums(byOrder(unify).reverse(), nu); // suffix[j] = of last j
  let bestK = -1;
  let best = Infinity;
  for (let k = np; k <= n - nu; k++) {
    const cost = prefix[k]! + suffix[n - k]!;
    if (cost < best) {
      best = cost;
      bestK = k;
    }
  }
  for (const b of cheapest(order.subarray(0, bestK), prune, np)) states[b] = STATE.pruned;
  for (const b of cheapest(order.subarray(bestK), unify, nu)) states[b] = STATE.unified;
  return states;
}

function identity(n: number): Uint32Array {
  const ids = new Uint32Array(n);
  for (let i = 0; i < n; i++) ids[i] = i;
  return ids;
}

/** v[ids[j]] for every j (a loop: `Float64Array.from` with a map function is many times slower at this size). */
function gather(v: ArrayLike<number>, ids: Uint32Array): Float64Array {
  const out = new Float64Array(ids.length);
  for (let j = 0; j < ids.length; j++) out[j] = v[ids[j]!]!;
  return out;
}

/** The `m` ids of `ids` with the smallest `cost`, ties by lower id. */
function cheapest(ids: Uint32Array, cost: ArrayLike<number>, m: number): Uint32Array {
  const sorted = Uint32Array.from(ids).sort(); // id order, so that ties below go to the lower id
  return argsortStable(gather(cost, sorted), sorted).subarray(0, m);
}

/**
 * `ids` ordered by `keys` (keys[j] belongs to ids[j]), ties kept in input order: a stable LSD radix sort on the
 * keys' order-preserving 64-bit patterns, four 16-bit digits (−0 counts as 0, as it does for `<`). On VGG-16's
 * 6.4 M-block fc6 a comparator sort took most of a minute; this takes a fraction of a second.
 */
function argsortStable(keys: Float64Array, ids: Uint32Array): Uint32Array {
  const n = keys.length;
  let [hi, lo]: Uint32Array[] = sortableWords(keys);
  let id: Uint32Array = Uint32Array.from(ids);
  let [hi2, lo2, id2]: Uint32Array[] = [new Uint32Array(n), new Uint32Array(n), new Uint32Array(n)];
  const start = new Uint32Array(65537);
  for (let pass = 0; pass < 4; pass++) {
    const src = pass < 2 ? lo : hi;
    const shift = (pass % 2) * 16;
    start.fill(0);
    for (let j = 0; j < n; j++) start[((src[j]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 0; d < 65536; d++) start[d + 1]! += start[d]!;
    for (let j = 0; j < n; j++) {
      const p = start[(src[j]! >>> shift) & 0xffff]!++;
      hi2[p] = hi[j]!;
      lo2[p] = lo[j]!;
      id2[p] = id[j]!;
    }
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo];
    [id, id2] = [id2, id];
  }
  return id;
}

/** High and low words of each double, flipped so unsigned order is numeric order (−0 as 0). */
function sortableWords(keys: Float64Array): [Uint32Array, Uint32Array] {
  const n = keys.length;
  const hi = new Uint32Array(n),
    lo = new Uint32Array(n);
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  const [low, high] = LITTLE_ENDIAN ? [0, 1] : [1, 0];
  for (let j = 0; j < n; j++) {
    const k = keys[j]!;
    bits[0] = k === 0 ? 0 : k;
    const h = words[high]!,
      l = words[low]!;
    const negative = h >>> 31 === 1;
    hi[j] = negative ? ~h >>> 0 : (h | 0x80000000) >>> 0;
    lo[j] = negative ? ~l >>> 0 : l;
  }
  return [hi, lo];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** out[k] = sum of the `m` smallest values among the first k (Infinity while k < m). Max-heap of size m. */
function smallestSums(values: Float64Array, m: number): Float64Array {
  const out = new Float64Array(values.length + 1).fill(Infinity);
  if (m === 0) return out.fill(0);
  const heap = new Float64Array(m);
  let size = 0;
  let sum = 0;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (size < m) {
      heapPush(heap, size++, v);
      sum += v;
    } else if (v < heap[0]!) {
      sum += v - heap[0]!;
      heapReplaceTop(heap, size, v);
    }
    if (size === m) out[k + 1] = sum;
  }
  return out;
}

/** Max-heap in h[0..size): add v at position `size`. */
function heapPush(h: Float64Array, size: number, v: number): void {
  let i = size;
  h[i] = v;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]! >= h[i]!) break;
    const t = h[p]!;
    h[p] = h[i]!;
    h[i] = t;
    i = p;
  }
}

function heapReplaceTop(h: Float64Array, size: number, v: number): void {
  h[0] = v;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1,
      r = l + 1;
    let m = i;
    if (l < size && h[l]! > h[m]!) m = l;
    if (r < size && h[r]! > h[m]!) m = r;
    if (m === i) return;
    const t = h[m]!;
    h[m] = h[i]!;
    h[i] = t;
    i = m;
  }
}
