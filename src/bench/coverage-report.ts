/** The coverage matrix as Markdown: ✔ or ✘ with the one-line reason per cell, totals per column, every failure. */
import { markdownTable } from '../util/markdown.js';
import { machineDescription } from './benchmarks-doc.js';
import type { Column } from './coverage-columns.js';
import type { CoverageRow } from './coverage-cells.js';

export interface ColumnTotal {
  passed: number;
  of: number;
  percent: number;
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|');

export function coverageTotals(columns: Column[], rows: CoverageRow[]): Record<string, ColumnTotal> {
  const totals: Record<string, ColumnTotal> = {};
  for (const c of columns) {
    const cells = rows.map((r) => r.cells[c.key]).filter((x) => x !== undefined);
    const passed = cells.filter((x) => x.ok).length;
    totals[c.key] = { passed, of: cells.length, percent: cells.length ? (100 * passed) / cells.length : 0 };
  }
  return totals;
}

export function coverageMarkdown(command: string, columns: Column[], rows: CoverageRow[]) {
  const totals = coverageTotals(columns, rows);
  const cell = (r: CoverageRow, c: Column) => {
    const x = r.cells[c.key];
    if (!x) return '';
    return x.ok ? '✔' : `✘ ${escapeCell(x.reason ?? '')}`;
  };
  const body = rows.map((r) => [r.model, r.bn, ...columns.map((c) => cell(r, c))]);
  const total = (c: Column) => `${totals[c.key]!.passed}/${totals[c.key]!.of} (${totals[c.key]!.percent.toFixed(0)} %)`;
  body.push(['**passed**', '', ...columns.map(total)]);
  const notes = [...new Map(rows.filter((r) => r.note).map((r) => [r.model, r.note!])).entries()];
  const md = [
    '## coverage',
    '',
    `Command: ${command}. Machine: ${machineDescription()}.`,
    '',
    'Models exported by PyTorch (bench/export_torchvision.py, bench/custom_models.py) with trained-like weights ' +
      '(random BatchNorm affine parameters; running statistics measured on random images, then jittered ±10 %, so ' +
      'activations stay normalised with BN folded, as in a trained model), 10 classes, 64×64 input, opset 13 unless noted, each with ' +
      'BatchNorm folded into the convs and kept. Every cell is one run of the real CLI (`--threads 1`), checked with ' +
      'ONNX Runtime: reparameterizations preserve the function (max|f−g| ≤ 1e-4·max|f| on two images, 1e-3 for LOP ' +
      'expand ×2 → merge); `prune l1`/`reap` (ratio 0.3, REAP on 16 .npy images) write a model that runs with the same ' +
      'output shape and fewer MACs by `info`; `prune tile --tiletrans` (sparsity 0.5) zeroes weights and runs; ' +
      '`finetune` (1 epoch, 16 images, batch 8, `--clip-grad-norm 1`) and `tedepr` (sparsity 0.99, 1 epoch, 2 score rounds) write models ' +
      'that run. ✘ cells give the CLI’s one-line `error:` or the failed check.',
    '',
    markdownTable(['model', 'BN', ...columns.map((c) => c.label)], body),
    '',
  ];
  if (notes.length) md.push(`Exports: ${notes.map(([m, n]) => `${m}: ${n}`).join('; ')}.`, '');
  return { markdown: `${md.join('\n')}\n`, totals };
}
