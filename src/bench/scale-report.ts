/** The results of `reprune bench scale` as Markdown: one row per model × pass, and each pass's time-vs-size exponent. */
import * as os from 'node:os';
import { markdownTable } from '../util/markdown.js';
import { machineDescription } from './benchmarks-doc.js';
import { fitExponent } from './reap-scaling.js';

export interface PassRun {
  model: string;
  params: number;
  pass: string;
  seconds?: number;
  maxRssMB?: number;
  /** Peak RSS over the size on disk of the model the pass reads (lop-merge: the expanded one). */
  rssOverModel?: number;
  status: 'ok' | 'failed' | 'timeout' | 'skipped';
  note?: string;
}

/** Least-squares slope of log(seconds) on log(params) over a pass's successful runs (undefined below 2 sizes). */
export function fittedExponent(runs: PassRun[]): number | undefined {
  const pts = runs.filter((r) => r.status === 'ok' && r.seconds! > 0 && r.params > 0);
  if (new Set(pts.map((r) => r.params)).size < 2) return undefined;
  return fitExponent(pts.map((r) => [r.params, r.seconds!]));
}

export interface ScaleResults {
  runs: PassRun[];
  /** 1-minute load average when the bench started (before its exports). */
  loadAtStart?: number;
  ort: Record<string, number>;
  skipped: string[];
  passes: string[];
}

/** The table: one row per model × pass, then one row per pass with its fitted exponent. */
export function scaleMarkdown(r: ScaleResults, cmd: string): string {
  const cell = (x: number | undefined, d: number) => (x === undefined ? '—' : x.toFixed(d));
  const rows = r.runs.map((x) => [
    x.model,
    x.params.toLocaleString('en-US'),
    x.pass,
    x.status === 'ok' ? cell(x.seconds, 2) : `${x.status}${x.note ? `: ${x.note}` : ''}`,
    cell(x.maxRssMB, 0),
    cell(x.rssOverModel, 1),
    cell(r.ort[x.model], 2),
  ]);
  const fits = r.passes.map((p) => [p, cell(fittedExponent(r.runs.filter((x) => x.pass === p)), 2)]);
  return [
    '## scale',
    '',
    `Command: \`${cmd}\`. Machine: ${machineDescription()}; load average at start ${(r.loadAtStart ?? os.loadavg()[0]!).toFixed(2)}.`,
    '',
    'Each pass is the CLI command in its own process (wall time includes loading and saving the model); peak RSS',
    "from the process itself (VmHWM), over the size of the model the pass reads (lop-merge reads lop-expand's output);",
    'ORT = ONNX Runtime creating a session from the file and running it once.',
    '',
    markdownTable(
      ['model', 'params', 'pass', 'seconds', 'peak RSS (MB)', 'RSS / model size', 'ORT load+run (s)'],
      rows,
    ),
    '',
    'Time vs parameters, fitted exponent per pass (1 = linear; over the models that ran):',
    '',
    markdownTable(['pass', 'exponent'], fits),
    '',
    ...(r.skipped.length ? [`Skipped: ${r.skipped.join('; ')}`, ''] : []),
  ].join('\n');
}
