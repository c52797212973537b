/** Tables of `reprune bench tedepr` over its runs: the best dense vs TEDEPR score and each score vs its shuffle control, as means over seeds. */
import type { ScoreKind } from '../passes/pai/index.js';
import { meanStd, type Stat } from '../util/stats.js';

export interface Row {
  arch: string;
  sparsity: number;
  score: ScoreKind;
  /** The random-shuffle control of `score`: its per-layer densities, each layer's mask shuffled. */
  shuffled: boolean;
  mode: 'dense' | 'tt';
  seed: number;
  ttRank: number | null;
  accuracy: number;
  nonzeros: number;
  prunableNonzeros: number;
  params: number;
  scoreSeconds: number;
  trainSeconds: number;
  inferenceMsPerBatch: number;
}

/** Accuracy over the seeds of one (arch, sparsity, score, shuffled, mode) setting. */
function accuracyOver(rows: Row[], k: Pick<Row, 'arch' | 'sparsity' | 'score' | 'shuffled' | 'mode'>): Stat {
  const same = rows.filter(
    (r) =>
      r.arch === k.arch &&
      r.sparsity === k.sparsity &&
      r.score === k.score &&
      r.shuffled === k.shuffled &&
      r.mode === k.mode,
  );
  return meanStd(same.map((r) => r.accuracy));
}

/** A percentage with its spread over seeds when there are several. */
const pct = (s: Stat) => `${(100 * s.mean).toFixed(2)}${s.n > 1 ? ` ± ${(100 * s.std).toFixed(2)}` : ''}`;

/**
 * Writes the Markdown table of the best dense score vs the best TEDEPR score per (arch, sparsity) (mean over
 * seeds), line by line. Shuffle controls are not scores of their own and never count as the best.
 */
export function writeBestTable(archs: string[], sparsities: number[], rows: Row[], write: (s: string) => void): void {
  write(
    '\nBest dense score vs best TEDEPR score (mean over seeds):\n\n| arch | sparsity | best dense | best TEDEPR | TEDEPR − dense (points) |\n|---|---|---|---|---|\n',
  );
  const scores = [...new Set(rows.map((r) => r.score))];
  for (const arch of archs)
    for (const sparsity of sparsities) {
      const best = (mode: 'dense' | 'tt') =>
        scores
          .map((score) => ({ score, acc: accuracyOver(rows, { arch, sparsity, score, shuffled: false, mode }) }))
          .filter((x) => x.acc.n > 0)
          .reduce((a, b) => (b.acc.mean > a.acc.mean ? b : a));
      const d = best('dense');
      const t = best('tt');
      write(
        `| ${arch} | ${(100 * sparsity).toFixed(1)}% | ${pct(d.acc)} (${d.score}) | ${pct(t.acc)} (${t.score}) | ${(100 * (t.acc.mean - d.acc.mean)).toFixed(2)} |\n`,
      );
    }
}

/** Each score beside its random-shuffle control (means over seeds): points lost when only per-layer densities are kept. */
export function writeShuffleTable(rows: Row[], write: (s: string) => void): void {
  write(
    '\nEach score vs its random-shuffle control (same per-layer densities, masks shuffled; mean over seeds):\n\n| arch | sparsity | score | mode | score acc | shuffled acc | score − shuffled (points) |\n|---|---|---|---|---|---|---|\n',
  );
  const seen = new Set<string>();
  for (const r of rows.filter((x) => !x.shuffled)) {
    const key = `${r.arch}|${r.sparsity}|${r.score}|${r.mode}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const a = accuracyOver(rows, r);
    const c = accuracyOver(rows, { ...r, shuffled: true });
    if (c.n === 0) continue;
    write(
      `| ${r.arch} | ${(100 * r.sparsity).toFixed(1)}% | ${r.score} | ${r.mode} | ${pct(a)} | ${pct(c)} | ${(100 * (a.mean - c.mean)).toFixed(2)} |\n`,
    );
  }
}
