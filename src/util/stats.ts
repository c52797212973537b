/** Summary statistics of repeated measurements (seeds, runs). */

export interface Stat {
  mean: number;
  std: number;
  n: number;
}

/** Mean and sample standard deviation (n − 1; 0 for a single value). */
export function meanStd(xs: number[]): Stat {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const v = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(v), n };
}
