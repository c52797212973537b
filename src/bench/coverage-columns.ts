/**
 * The columns of `reprune bench coverage`: what each runs through the CLI and what it checks afterwards.
 * reparam: function preserved (max|f−g| ≤ 1e-4·max|f|, 1e-3 for LOP expand → merge); channel pruning: the output
 * runs in ONNX Runtime and `info` counts fewer MACs; tile pruning: it runs and weights were zeroed; fine-tuning and
 * TEDEPR: one short epoch writes a model that runs with the same input and output shapes.
 */
import * as path from 'node:path';
import {
  type CellResult,
  type CliRun,
  checkOutput,
  failureReason,
  jsonOf,
  type OrtOutput,
  type probeInput,
  runReprune,
} from './coverage-cells.js';

/** What every cell of one model (one BN variant) needs. */
export interface ModelContext {
  file: string;
  /** Folder for this model's outputs. */
  work: string;
  /** .npy folder (x_train/y_train/x_test/y_test) at the model's input size. */
  data: string;
  input: ReturnType<typeof probeInput>;
  /** ORT's output of the exported model on `input`. */
  ref: OrtOutput;
  timeoutS: number;
  /** MACs `info` counts on the exported model (set by the info column, which runs first). */
  macs?: number;
}

export interface Column {
  key: string;
  /** Header of the matrix. */
  label: string;
  run: (m: ModelContext) => Promise<string | undefined>;
}

/** Run the CLI; the failure's one line, or the parsed JSON summary. */
async function cli(m: ModelContext, args: string[]): Promise<{ reason?: string; json?: Record<string, unknown> }> {
  const r: CliRun = await runReprune([...args, '--json'], m.timeoutS);
  const reason = failureReason(r, m.timeoutS);
  if (reason) return { reason };
  const json = jsonOf(r);
  return json ? { json } : { reason: 'exit 0 but no JSON summary on stdout' };
}

const out = (m: ModelContext, name: string) => path.join(m.work, `${name}.onnx`);

async function infoColumn(m: ModelContext) {
  const r = await cli(m, ['info', m.file]);
  if (r.reason) return r.reason;
  const totals = r.json!.totals as { macs: number; macsComplete: boolean };
  if (!totals.macsComplete) return `MACs counted for only part of the model (${totals.macs})`;
  m.macs = totals.macs;
  return undefined;
}

function reparamColumn(transform: string, extra: string[] = []) {
  return async (m: ModelContext) => {
    const file = out(m, transform);
    const r = await cli(m, ['reparam', m.file, '--transform', transform, ...extra, '-o', file]);
    return r.reason ?? (await checkOutput(file, m.input, m.ref, 1e-4));
  };
}

async function lopColumn(m: ModelContext) {
  const expanded = out(m, 'lop-expand');
  const merged = out(m, 'lop-merge');
  const e = await cli(m, ['reparam', m.file, '--transform', 'lop-expand', '--expand', '2', '-o', expanded]);
  if (e.reason) return `lop-expand: ${e.reason}`;
  const r = await cli(m, ['reparam', expanded, '--transform', 'lop-merge', '-o', merged]);
  if (r.reason) return `lop-merge: ${r.reason}`;
  return checkOutput(merged, m.input, m.ref, 1e-3);
}

/** MACs `info` counts on `file`, checked to be fewer than the exported model's. */
async function macsDropped(m: ModelContext, file: string) {
  const r = await cli(m, ['info', file]);
  if (r.reason) return `info on the pruned model: ${r.reason}`;
  const macs = (r.json!.totals as { macs: number }).macs;
  if (m.macs === undefined) return 'no MAC count of the exported model (info failed)';
  return macs < m.macs ? undefined : `MACs did not drop (${m.macs} → ${macs})`;
}

function channelColumn(method: string, extra: (m: ModelContext) => string[] = () => []) {
  return async (m: ModelContext) => {
    const file = out(m, method);
    const r = await cli(m, ['prune', m.file, '--method', method, '--ratio', '0.3', ...extra(m), '-o', file]);
    return r.reason ?? (await checkOutput(file, m.input, m.ref)) ?? (await macsDropped(m, file));
  };
}

async function tileColumn(m: ModelContext) {
  const file = out(m, 'tile');
  const r = await cli(m, ['prune', m.file, '--method', 'tile', '--tiletrans', '--sparsity', '0.5', '-o', file]);
  if (r.reason) return r.reason;
  const sparsity = Number(r.json!.sparsity ?? 0);
  if (!(sparsity > 0)) return `no weight was zeroed (sparsity ${sparsity})`;
  return checkOutput(file, m.input, m.ref);
}

async function finetuneColumn(m: ModelContext) {
  const file = out(m, 'finetune');
  // Clipped like HF Trainer's default: an untrained deep net without BN (Inception-v3 folded: first gradient norm
  // ~1e4) diverges in its second SGD step otherwise, in PyTorch as here.
  const args = ['finetune', m.file, '--data', m.data, '--epochs', '1', '--batch', '8', '--eval-limit', '8'];
  args.push('--clip-grad-norm', '1');
  const r = await cli(m, [...args, '-o', file]);
  return r.reason ?? (await checkOutput(file, m.input, m.ref));
}

async function tedeprColumn(m: ModelContext) {
  const file = out(m, 'tedepr');
  const args = ['tedepr', m.file, '--data', m.data, '--epochs', '1', '--batch', '8', '--test-limit', '8'];
  const r = await cli(m, [...args, '--sparsity', '0.99', '--rounds', '2', '-o', file]);
  return r.reason ?? (await checkOutput(file, m.input, m.ref));
}

export const COLUMNS: Column[] = [
  { key: 'info', label: 'info', run: infoColumn },
  { key: 'tiletrans', label: 'reparam tiletrans', run: reparamColumn('tiletrans') },
  { key: 'fold-bn', label: 'reparam fold-bn', run: reparamColumn('fold-bn') },
  { key: 'lop', label: 'lop-expand → lop-merge', run: lopColumn },
  { key: 'l1', label: 'prune l1 0.3', run: channelColumn('l1') },
  { key: 'reap', label: 'prune reap 0.3', run: channelColumn('reap', (m) => ['--data', m.data]) },
  { key: 'tile', label: 'prune tile --tiletrans', run: tileColumn },
  { key: 'finetune', label: 'finetune 1 epoch', run: finetuneColumn },
  { key: 'tedepr', label: 'tedepr', run: tedeprColumn },
];

/** One column on one model: never throws; a crash of the bench itself is named too. */
export async function runColumn(c: Column, m: ModelContext): Promise<CellResult> {
  const t0 = performance.now();
  let reason: string | undefined;
  try {
    reason = await c.run(m);
  } catch (e) {
    reason = `bench error: ${(e as Error).message.split('\n')[0]}`;
  }
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  return reason ? { ok: false, reason, seconds } : { ok: true, seconds };
}
