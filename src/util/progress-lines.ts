/**
 * Progress of a long loop as log lines, for passes (which never print themselves: they are handed a `log`). Silent
 * while the loop is quick: the first line comes once `afterMs` have passed, then at most one per `everyMs`, and the
 * last item always reports if anything was reported, so a user watching a 30-second step sees it move and a
 * 50-millisecond one prints nothing.
 */
export interface ProgressLines {
  /** Item `done` of `total` finished; `what` names it (a layer). */
  step(done: number, what: string): void;
}

export function progressLines(
  log: ((line: string) => void) | undefined,
  label: string,
  total: number,
  o: { afterMs?: number; everyMs?: number; now?: () => number } = {},
): ProgressLines {
  const now = o.now ?? (() => performance.now());
  const [afterMs, everyMs] = [o.afterMs ?? 1000, o.everyMs ?? 1000];
  const t0 = now();
  let last = -Infinity;
  return {
    step(done, what) {
      if (!log) return;
      const t = now();
      const due = t - t0 >= afterMs && t - last >= everyMs;
      const final = done === total && last > -Infinity;
      if (!due && !final) return;
      last = t;
      log(`${label}: ${done}/${total} (${what}), ${((t - t0) / 1000).toFixed(1)} s`);
    },
  };
}
