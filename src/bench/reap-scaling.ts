/**
 * Scaling part of `reprune bench reap`: wall time of REAP selection (remove n/2 of n neurons, m = 256
 * outgoing weights each) for growing n, fast O(n³) vs the naive per-step re-inversion O(n⁴), and the
 * fitted exponent (least-squares slope of log t over log n).
 */
import { reapFast } from '../passes/reap/fast.js';
import { reapNaive } from '../passes/reap/naive.js';
import { randomProblem } from '../passes/reap/synthetic.js';

export { randomProblem };

/** Times are CPU seconds of this (single-threaded) process: robust when other jobs share the machine. */
export interface ScalingRow {
  n: number;
  fastSec: number;
  naiveSec?: number;
  fastWallSec: number;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export function fitExponent(pts: Array<[number, number]>): number {
  const xs = pts.map(([n]) => Math.log(n)),
    ys = pts.map(([, t]) => Math.log(t));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length,
    my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0,
    den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

export function runScaling(
  sizes: number[],
  naiveMax: number,
  log: (s: string) => void,
): { rows: ScalingRow[]; fastExponent: number; naiveExponent?: number } {
  const rows: ScalingRow[] = [];
  // Warm the JIT so the first timed size is not charged for compilation.
  const warm = randomProblem(48, 256, 1);
  reapFast(warm, 24);
  reapNaive(warm, 24, { mode: 'per-step' });
  for (const n of sizes) {
    const p = randomProblem(n, 256, n);
    let c0 = cpuSeconds();
    const w0 = performance.now();
    const fast = reapFast(p, n / 2);
    const fastSec = cpuSeconds() - c0;
    const row: ScalingRow = { n, fastSec, fastWallSec: (performance.now() - w0) / 1000 };
    if (n <= naiveMax) {
      c0 = cpuSeconds();
      const slow = reapNaive(p, n / 2, { mode: 'per-step' });
      row.naiveSec = cpuSeconds() - c0;
      if (slow.removed.join() !== fast.removed.join()) log(`warning: n=${n} fast and naive selections differ`);
    }
    log(
      `scaling n=${n}: fast ${fastSec.toFixed(3)} s CPU (${row.fastWallSec.toFixed(3)} s wall)${row.naiveSec !== undefined ? `, naive ${row.naiveSec.toFixed(3)} s` : ''}`,
    );
    rows.push(row);
  }
  const big = rows.filter((r) => r.n >= 256);
  const naive = rows.filter((r) => r.naiveSec !== undefined && r.n >= 128);
  return {
    rows,
    fastExponent: fitExponent((big.length >= 2 ? big : rows).map((r) => [r.n, r.fastSec])),
    ...(naive.length >= 2 ? { naiveExponent: fitExponent(naive.map((r) => [r.n, r.naiveSec!])) } : {}),
  };
}
