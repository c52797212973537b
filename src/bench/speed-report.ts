/** Markdown of `reprune bench speed`: one table per model × batch × threads, MAC ratio beside latency ratio. */
import { machineDescription } from './benchmarks-doc.js';
import type { SpeedMethod } from './speed-variants.js';

export interface SpeedRow {
  model: string;
  batch: number;
  threads: number;
  variant: string;
  method: SpeedMethod;
  target?: number;
  /** Dense MACs / variant MACs per sample (undefined when the variant's MACs are not comparable). */
  macReduction?: number;
  denseMs?: number;
  ms?: number;
  /** Dense latency / compressed latency, from the alternating runs. */
  speedup?: number;
  /** speedup / macReduction: 1 = the latency fell exactly as much as the MACs. */
  efficiency?: number;
  /** Rewrites: max|f − g| / max|g| against the model they must equal. */
  maxRelErr?: number;
  /** Set when the output was the wrong shape or not finite, or the variant could not be built or run. */
  problem?: string;
  note?: string;
}

export interface ModelHeader {
  model: string;
  source: string;
  macs?: number;
  params: number;
}

const fx = (x: number | undefined, d = 2, suffix = '') => (x === undefined ? '—' : `${x.toFixed(d)}${suffix}`);
const err = (x: number | undefined) => (x === undefined ? '—' : x.toExponential(1));

function table(rows: SpeedRow[]): string[] {
  const out = [
    '| method | MAC reduction | dense ms | ms | speedup | efficiency | max rel err | note |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const note = [r.problem ? `**${r.problem}**` : '', r.note ?? ''].filter(Boolean).join('; ');
    out.push(
      `| ${r.variant} | ${fx(r.macReduction, 2, '×')} | ${fx(r.denseMs)} | ${fx(r.ms)} | ${fx(r.speedup, 2, '×')} | ${fx(r.efficiency)} | ${err(r.maxRelErr)} | ${note} |`,
    );
  }
  return out;
}

/** The targets: efficiency ≥ 0.9 at batch ≥ 32, ≥ 0.75 at batch 1 (channel pruning at −50 / −70 % MACs). */
const targetAt = (batch: number) => (batch >= 32 ? 0.9 : batch === 1 ? 0.75 : undefined);

/** One line per model × batch × threads: efficiency of the channel-pruned rows, ✓ where the target is met. */
function summaryTable(rows: SpeedRow[]): string[] {
  const channel = rows.filter(
    (r) => (r.method === 'l1' || r.method === 'reap' || r.method === 'round') && r.efficiency,
  );
  const labels = [...new Set(channel.map((r) => r.variant))];
  if (labels.length === 0) return [];
  const out = [
    '## Summary: efficiency of channel pruning (speedup / MAC reduction)\n',
    'Targets: ≥ 0.90 at batch 32, ≥ 0.75 at batch 1 (✓ = met).\n',
    `| model | batch | threads | ${labels.join(' | ')} |`,
    `|---|---|---|${labels.map(() => '---').join('|')}|`,
  ];
  const configs = [...new Set(channel.map((r) => `${r.model}\u0000${r.batch}\u0000${r.threads}`))];
  for (const c of configs) {
    const [model, batch, threads] = c.split('\u0000');
    const cells = labels.map((l) => {
      const r = channel.find(
        (x) => x.model === model && `${x.batch}` === batch && `${x.threads}` === threads && x.variant === l,
      );
      const t = targetAt(Number(batch));
      return r ? `${r.efficiency!.toFixed(2)}${t !== undefined && r.efficiency! >= t ? ' ✓' : ''}` : '—';
    });
    out.push(`| ${model} | ${batch} | ${threads} | ${cells.join(' | ')} |`);
  }
  return [...out, ''];
}

/** The whole page: how it was measured, then the tables. */
export function speedMarkdown(command: string, models: ModelHeader[], rows: SpeedRow[], notes: string[]): string {
  const md = [
    '# Speed bench: compressed models in stock ONNX Runtime\n',
    `Command: \`${command}\`\n`,
    `Machine: ${machineDescription()}.\n`,
    'Dense and compressed sessions run alternately in one process (dense, compressed, dense, …), so machine drift',
    'hits both; each latency is the median of its runs. MAC reduction = dense MACs / compressed MACs per sample',
    '(nonzero-weight MACs for masks, block multiplies for unification); efficiency = speedup / MAC reduction',
    '(1.00 = latency fell as much as the MACs). Max rel err: max|f − g| / max|g| of a rewrite against the model',
    'it must equal (lowered tiles vs their masked model, fold-bn / SRN / TT vs the dense or densified model).\n',
    ...notes.map((n) => `- ${n}`),
    '',
    ...summaryTable(rows),
  ];
  for (const m of models) {
    md.push(
      `## ${m.model}\n`,
      `${m.source}; ${m.params.toLocaleString('en-US')} params, ${m.macs?.toLocaleString('en-US') ?? '?'} MACs/sample.\n`,
    );
    const mine = rows.filter((r) => r.model === m.model);
    const configs = [...new Set(mine.map((r) => `${r.batch}:${r.threads}`))];
    for (const c of configs) {
      const [batch, threads] = c.split(':').map(Number);
      md.push(`### batch ${batch}, ${threads} thread${threads === 1 ? '' : 's'}\n`);
      md.push(...table(mine.filter((r) => r.batch === batch && r.threads === threads)), '');
    }
  }
  return `${md.join('\n')}\n`;
}
