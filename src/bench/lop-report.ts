/** Tables of `reprune bench lop`: accuracy mean ± std per (arch, ratio, mode), gaps to vanilla, LOP time overhead. */
import { meanStd, type Stat } from '../util/stats.js';
import type { LopBenchData, LopRun } from './lop-run.js';
import { FINETUNE_MODES, type FinetuneMode } from '../passes/lop/finetune.js';

/** Statistics over the runs that did not diverge; `diverged` counts the others. */
export interface SummaryRow {
  arch: string;
  ratio: number;
  mode: FinetuneMode;
  accuracy: Stat;
  seconds: Stat;
  samplesPerSecond: Stat;
  diverged: number;
}

export function summarize(runs: LopRun[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const keys = [...new Set(runs.map((r) => `${r.arch}|${r.ratio}|${r.mode}`))];
  for (const k of keys) {
    const all = runs.filter((r) => `${r.arch}|${r.ratio}|${r.mode}` === k);
    const rs = all.filter((r) => !r.diverged);
    const { arch, ratio, mode } = all[0]!;
    rows.push({
      diverged: all.length - rs.length,
      arch,
      ratio,
      mode,
      accuracy: meanStd(rs.map((r) => r.accuracy)),
      seconds: meanStd(rs.map((r) => r.seconds)),
      samplesPerSecond: meanStd(rs.map((r) => r.samplesPerSecond)),
    });
  }
  return rows;
}

const pct = (x: number) => (100 * x).toFixed(2);
const cell = (r: SummaryRow) => {
  const s = r.accuracy;
  const div = r.diverged ? `${s.n ? ', ' : ''}${r.diverged} diverged` : '';
  return `${s.n ? pct(s.mean) : ''}${s.n > 1 ? ` ± ${pct(s.std)} (n=${s.n})` : ''}${div}`;
};

/** Markdown for everything measured so far. */
export function lopMarkdown(d: LopBenchData, settings: string): string[] {
  const rows = summarize(d.runs);
  const md: string[] = [settings, ''];
  for (const arch of Object.keys(d.dense)) {
    const dense = d.dense[arch]!;
    const mine = rows.filter((r) => r.arch === arch);
    const ratios = [
      ...new Set(
        Object.keys(d.pruned)
          .filter((k) => k.startsWith(`${arch}@`))
          .map((k) => Number(k.slice(arch.length + 1))),
      ),
    ];
    md.push(
      `## ${arch} on ${dense.data} — dense ${pct(dense.accuracy)} % (${dense.params.toLocaleString('en')} params)`,
      '',
    );
    md.push(
      `| top-1 % | ${ratios.map((r) => `${Math.round(100 * r)} % channels pruned`).join(' | ')} |`,
      `|---|${ratios.map(() => '---').join('|')}|`,
    );
    md.push(
      `| params after pruning | ${ratios.map((r) => d.pruned[`${arch}@${r}`]!.params.toLocaleString('en')).join(' | ')} |`,
    );
    md.push(`| pruned, no fine-tuning | ${ratios.map((r) => pct(d.pruned[`${arch}@${r}`]!.accuracy)).join(' | ')} |`);
    for (const mode of FINETUNE_MODES) {
      if (!mine.some((r) => r.mode === mode)) continue;
      md.push(
        `| ${mode} | ${ratios
          .map((r) => {
            const s = mine.find((x) => x.mode === mode && x.ratio === r);
            return s ? cell(s) : '—';
          })
          .join(' | ')} |`,
      );
    }
    md.push(
      ...gapRows(mine, ratios),
      ...spRows(
        d.runs.filter((r) => r.arch === arch),
        mine,
        ratios,
      ),
    );
    md.push('');
    md.push(...timeTable(d.runs.filter((r) => r.arch === arch)), '');
  }
  return md;
}

/** Each mode's mean gap to vanilla fine-tuning, in points, per ratio. */
function gapRows(mine: SummaryRow[], ratios: number[]): string[] {
  const gap = (mode: FinetuneMode) =>
    ratios.map((r) => {
      const a = mine.find((x) => x.mode === mode && x.ratio === r),
        v = mine.find((x) => x.mode === 'vanilla' && x.ratio === r);
      return a?.accuracy.n && v?.accuracy.n
        ? `${a.accuracy.mean >= v.accuracy.mean ? '+' : ''}${pct(a.accuracy.mean - v.accuracy.mean)}`
        : '—';
    });
  return (['vanilla+spkd', 'lop', 'lop+spkd'] as const).map(
    (mode) => `| Δ ${mode} − vanilla (points) | ${gap(mode).join(' | ')} |`,
  );
}

/** The γ SP-KD used (lop+spkd runs) and whether lop+spkd's mean less one std is above vanilla's mean. */
function spRows(runs: LopRun[], rows: SummaryRow[], ratios: number[]): string[] {
  const gammas = ratios.map((r) => {
    const gs = [
      ...new Set(
        runs.filter((x) => x.mode === 'lop+spkd' && x.ratio === r && x.spGamma !== undefined).map((x) => x.spGamma!),
      ),
    ];
    return gs.length ? gs.map((g) => g.toFixed(0)).join(', ') : '—';
  });
  const wins = ratios.map((r) => {
    const a = rows.find((x) => x.mode === 'lop+spkd' && x.ratio === r)?.accuracy;
    const v = rows.find((x) => x.mode === 'vanilla' && x.ratio === r)?.accuracy;
    if (!a?.n || !v?.n) return '—';
    // The issue's criterion: the mean less one sample std still above vanilla's mean.
    return a.mean - a.std > v.mean ? 'yes' : 'no';
  });
  if (gammas.every((g) => g === '—')) return [];
  return [
    `| SP-KD γ of lop+spkd | ${gammas.join(' | ')} |`,
    `| lop+spkd mean − std > vanilla mean | ${wins.join(' | ')} |`,
  ];
}

/** Wall time per fine-tuning run (expand + train + merge) and training throughput; LOP overhead vs the same mode without LOP. */
function timeTable(runs: LopRun[]): string[] {
  const by = (mode: FinetuneMode, ratio?: number) =>
    runs.filter((r) => !r.diverged && r.mode === mode && (ratio === undefined || r.ratio === ratio));
  const ratios = [...new Set(runs.map((r) => r.ratio))];
  const out = [
    `| time per run | ${ratios.map((r) => `${Math.round(100 * r)} %`).join(' | ')} |`,
    `|---|${ratios.map(() => '---').join('|')}|`,
  ];
  for (const mode of FINETUNE_MODES) {
    if (!by(mode).length) continue;
    out.push(
      `| ${mode}: s (samples/s) | ${ratios
        .map((r) => {
          const rs = by(mode, r);
          return rs.length
            ? `${meanStd(rs.map((x) => x.seconds)).mean.toFixed(1)} (${Math.round(meanStd(rs.map((x) => x.samplesPerSecond)).mean)})`
            : '—';
        })
        .join(' | ')} |`,
    );
  }
  const over = (a: FinetuneMode, b: FinetuneMode) =>
    ratios.map((r) => {
      const x = by(a, r),
        y = by(b, r);
      return x.length && y.length
        ? `${(meanStd(x.map((q) => q.seconds)).mean / meanStd(y.map((q) => q.seconds)).mean).toFixed(2)}×`
        : '—';
    });
  out.push(`| LOP overhead: lop / vanilla | ${over('lop', 'vanilla').join(' | ')} |`);
  out.push(`| LOP overhead: lop+spkd / vanilla+spkd | ${over('lop+spkd', 'vanilla+spkd').join(' | ')} |`);
  return out;
}
