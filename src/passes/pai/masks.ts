/**
 * Top-k masks with an exact count: 1 = keep, 0 = pruned. Ties and NaNs are resolved deterministically
 * (higher score first, then lower tensor/entry index; NaN ranks last), so the kept count is exactly k.
 */
import { ReproError } from '../../util/errors.js';
import { SeededRng } from '../../util/random.js';

export type Scores = Record<string, ArrayLike<number>>;
export type Masks = Record<string, Uint8Array>;

export interface TopKOptions {
  /** 'global': one ranking over every tensor (default); 'layer': each tensor keeps round(density · size). */
  scope?: 'global' | 'layer';
  /** Only entries with eligible[i] = 1 may be kept (e.g. not already pruned in an iterative schedule). */
  eligible?: Masks;
  /** Minimum kept entries per tensor (global scope), reserved first by the tensor's own ranking. */
  floor?: Record<string, number>;
}

const key = (v: number) => (Number.isNaN(v) ? -Infinity : v);

/** Indices of `s` sorted by descending score (stable: lower index first on ties). */
function rank(s: ArrayLike<number>, eligible?: Uint8Array): Uint32Array {
  const idx: number[] = [];
  for (let i = 0; i < s.length; i++) if (!eligible || eligible[i]) idx.push(i);
  idx.sort((a, b) => key(s[b]!) - key(s[a]!) || a - b);
  return Uint32Array.from(idx);
}

export function totalSize(scores: Scores): number {
  return Object.values(scores).reduce((a, s) => a + s.length, 0);
}

/** Keep exactly `keep` entries (global) or round(keep/total · n_t) per tensor ('layer'). */
export function topKMasks(scores: Scores, keep: number, opts: TopKOptions = {}): Masks {
  const names = Object.keys(scores);
  const total = totalSize(scores);
  if (!(Number.isInteger(keep) && keep >= 0 && keep <= total))
    throw new ReproError(`top-k mask: keep ${keep} must be an integer in [0, ${total}]`);
  const masks: Masks = Object.fromEntries(names.map((n) => [n, new Uint8Array(scores[n]!.length)]));
  if (opts.scope === 'layer') {
    for (const n of names) {
      const k = Math.round((keep / total) * scores[n]!.length);
      const order = rank(scores[n]!, opts.eligible?.[n]);
      for (let i = 0; i < Math.min(k, order.length); i++) masks[n]![order[i]!] = 1;
    }
    return masks;
  }
  let left = keep;
  for (const n of names) {
    const f = Math.min(opts.floor?.[n] ?? 0, left);
    if (f <= 0) continue;
    const order = rank(scores[n]!, opts.eligible?.[n]);
    for (let i = 0; i < Math.min(f, order.length); i++) {
      masks[n]![order[i]!] = 1;
      left--;
    }
  }
  // Global ranking of the rest: (score, tensor, entry), ties by tensor then entry.
  const sv: number[] = [],
    tv: number[] = [],
    ev: number[] = [];
  names.forEach((n, t) => {
    const s = scores[n]!,
      m = masks[n]!,
      el = opts.eligible?.[n];
    for (let i = 0; i < s.length; i++)
      if (!m[i] && (!el || el[i])) {
        sv.push(key(s[i]!));
        tv.push(t);
        ev.push(i);
      }
  });
  const order = Array.from({ length: sv.length }, (_, i) => i);
  order.sort((a, b) => sv[b]! - sv[a]! || tv[a]! - tv[b]! || ev[a]! - ev[b]!);
  if (left > order.length)
    throw new ReproError(
      `top-k mask: asked to keep ${keep} entries but only ${order.length + keep - left} are eligible`,
    );
  for (let i = 0; i < left; i++) masks[names[tv[order[i]!]!]!]![ev[order[i]!]!] = 1;
  return masks;
}

export function countKept(masks: Masks): number {
  let k = 0;
  for (const m of Object.values(masks)) for (const v of m) k += v;
  return k;
}

/**
 * The random-shuffle control of pruning-at-init papers (Frankle et al., ICLR 2021): each tensor's mask permuted
 * uniformly at random, so every layer keeps exactly its density but loses which entries the score chose.
 * Returns new masks; the input is not modified.
 */
export function shuffleMasks(masks: Masks, seed = 0): Masks {
  const rng = new SeededRng(seed);
  return Object.fromEntries(Object.entries(masks).map(([name, m]) => [name, rng.shuffle(Uint8Array.from(m))]));
}
