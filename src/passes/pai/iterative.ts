/** Iterative pruning with an exponential density schedule: round t keeps density^(t/T) of the entries. */
import { topKMasks, totalSize, type Masks, type Scores } from './masks.js';

export interface IterativeOptions {
  rounds: number;
  /** Entries kept at the end (exactly). */
  keep: number;
  scope?: 'global' | 'layer';
  /** Per-tensor minimum kept count for a round's kept total. */
  floor?: (keepThisRound: number) => Record<string, number>;
}

/** Kept count of round t (1-based) of T: total · (keep/total)^(t/T), the last round exactly `keep`. */
export function roundKeep(total: number, keep: number, t: number, rounds: number): number {
  if (t >= rounds) return keep;
  return Math.max(keep, Math.round(total * (keep / total) ** (t / rounds)));
}

/** Runs `score(masks)` each round on the current masks, keeping only still-unpruned entries. */
export async function iterativePrune(
  sizes: Record<string, number>,
  opts: IterativeOptions,
  score: (masks: Masks, round: number) => Promise<Scores>,
): Promise<{ masks: Masks; scores: Scores }> {
  let masks: Masks = Object.fromEntries(Object.entries(sizes).map(([p, n]) => [p, new Uint8Array(n).fill(1)]));
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  let scores: Scores = {};
  const rounds = Math.max(1, opts.rounds);
  for (let t = 1; t <= rounds; t++) {
    scores = await score(masks, t);
    const k = roundKeep(total, opts.keep, t, rounds);
    masks = topKMasks(scores, k, { scope: opts.scope, eligible: masks, floor: opts.floor?.(k) });
    if (totalSize(scores) === 0) break;
  }
  return { masks, scores };
}
