/**
 * `reprune bench coverage`: does every method run on the models users bring? torchvision classifiers (and an FPN
 * detector head and a U-Net) exported by PyTorch with trained-like weights, each with BatchNorm folded and kept,
 * go through info, three reparameterizations, three pruning methods, a fine-tuning epoch and TEDEPR via the real CLI.
 * Writes the matrix (✔ or the one-line reason) to <out>/coverage.md and coverage.json. Not a timing bench.
 * Needs a python3 with torch and torchvision (skipped with a message otherwise).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { writeNpy } from '../data/npy.js';
import { ReproError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { SeededRng } from '../util/random.js';
import { type CoverageRow, oneLine, ortOutput, probeInput } from './coverage-cells.js';
import { COLUMNS, type Column, type ModelContext, runColumn } from './coverage-columns.js';
import { coverageMarkdown } from './coverage-report.js';
import { type BnVariant, COVERAGE_MODELS, type CoverageModel, exportSpec, QUICK_MODELS } from './coverage-models.js';
import { exportTorchvision, torchSkipReason } from './torch.js';

interface CoverageFlags {
  models?: string;
  variants: string;
  columns?: string;
  quick?: boolean;
  timeout: string;
  jobs: string;
  out: string;
  json?: boolean;
  merge?: boolean;
}

function parseFlags(args: string[]): CoverageFlags {
  return new Command('reprune bench coverage')
    .option('--models <list>', `comma-separated models (default all: ${COVERAGE_MODELS.map((m) => m.name).join(', ')})`)
    .option('--variants <list>', 'BatchNorm folded and/or kept', 'folded,kept')
    .option('--columns <list>', `columns to run (default all: ${COLUMNS.map((c) => c.key).join(', ')})`)
    .option('--quick', `smoke run: ${QUICK_MODELS.join(', ')} with BatchNorm kept`)
    .option('--timeout <s>', 'seconds per CLI run before the cell fails', '600')
    .option('--jobs <n>', 'models run at once', '1')
    .option('--out <dir>', 'where to write coverage.md/json', 'docs/bench')
    .option('--json', 'print JSON instead of Markdown')
    .option('--merge', 'replace only the cells run now in <out>/coverage.json (e.g. one column after a fix)')
    .exitOverride()
    .parse(args, { from: 'user' })
    .opts<CoverageFlags>();
}

const listOf = (s: string | undefined) =>
  s
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function pick<T extends { name?: string; key?: string }>(all: T[], names: string[] | undefined, flag: string): T[] {
  if (!names) return all;
  const id = (x: T) => x.name ?? x.key;
  const unknown = names.filter((n) => !all.some((x) => id(x) === n));
  if (unknown.length)
    throw new ReproError(`${flag}: unknown ${unknown.join(', ')}; choose from ${all.map(id).join(', ')}`);
  return names.map((n) => all.find((x) => id(x) === n)!); // in the order asked
}

/** x_train/y_train (16) and x_test/y_test (8) .npy files of seeded images [3, size, size] and 10 classes. */
function writeData(dir: string, size: number): string {
  mkdirSync(dir, { recursive: true });
  const rng = new SeededRng(5);
  for (const [split, n] of [
    ['train', 16],
    ['test', 8],
  ] as const) {
    writeNpy(
      path.join(dir, `x_${split}.npy`),
      new Float32Array(n * 3 * size * size).map(() => rng.next()),
      [n, 3, size, size],
    );
    writeNpy(
      path.join(dir, `y_${split}.npy`),
      BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 10)),
      [n],
    );
  }
  return dir;
}

interface RunPlan {
  models: CoverageModel[];
  variants: BnVariant[];
  columns: Column[];
  timeoutS: number;
  work: string;
  log: (s: string) => void;
}

/** Export one model in every variant, then run every column on each; rows in variant order. */
async function runModel(p: RunPlan, m: CoverageModel): Promise<CoverageRow[]> {
  const dir = path.join(p.work, m.name);
  mkdirSync(dir, { recursive: true });
  const specs = p.variants.map((bn) => exportSpec(m, bn, path.join(dir, `${m.name}-bn-${bn}.onnx`)));
  let exported: ReturnType<typeof exportTorchvision>;
  try {
    exported = exportTorchvision(specs);
  } catch (e) {
    exported = specs.map((s) => ({ file: s.file, arch: s.arch, error: (e as Error).message }));
  }
  const rows: CoverageRow[] = [];
  for (const [i, bn] of p.variants.entries()) {
    const ex = exported[i];
    const row: CoverageRow = { model: m.name, bn, params: ex?.params, note: m.note, cells: {} };
    const context = ex && !ex.error ? await modelContext(p, m, ex.file, bn) : undefined;
    for (const c of p.columns) {
      if (typeof context === 'string' || !context) {
        row.cells[c.key] = { ok: false, reason: oneLine(context ?? `export failed: ${ex?.error ?? 'no output'}`) };
        continue;
      }
      row.cells[c.key] = await runColumn(c, context);
      const cell = row.cells[c.key]!;
      p.log(`[coverage] ${m.name} (BN ${bn}) ${c.key}: ${cell.ok ? 'ok' : cell.reason} (${cell.seconds} s)`);
    }
    rows.push(row);
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

/** The context of the cells, or why none can run (the export does not run in ORT). */
async function modelContext(p: RunPlan, m: CoverageModel, file: string, bn: BnVariant): Promise<ModelContext | string> {
  const input = probeInput(m.size);
  const data = path.join(p.work, `data-${m.size}`);
  try {
    const ref = await ortOutput(file, input);
    const work = path.join(path.dirname(file), `out-${bn}`);
    mkdirSync(work, { recursive: true });
    return { file, work, data, input, ref, timeoutS: p.timeoutS };
  } catch (e) {
    return `the export does not run in ONNX Runtime: ${(e as Error).message}`;
  }
}

export async function runBench(args: string[]): Promise<void> {
  const f = parseFlags(args);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const skip = torchSkipReason();
  if (skip) {
    log(`bench coverage skipped: ${skip}`);
    return;
  }
  const models = pick(COVERAGE_MODELS, listOf(f.models) ?? (f.quick ? QUICK_MODELS : undefined), '--models');
  const variants = pick(
    [{ name: 'folded' }, { name: 'kept' }],
    listOf(f.quick && !args.includes('--variants') ? 'kept' : f.variants),
    '--variants',
  ).map((v) => v.name as BnVariant);
  const columns = pick(COLUMNS, listOf(f.columns), '--columns');
  const work = mkdtempSync(path.join(os.tmpdir(), 'reprune-bench-coverage-'));
  const plan: RunPlan = { models, variants, columns, timeoutS: Number(f.timeout), work, log };
  for (const size of new Set(models.map((m) => m.size))) writeData(path.join(work, `data-${size}`), size);
  const command = `reprune bench coverage ${args.join(' ')}`.trim();
  const results = new Map<string, CoverageRow[]>();
  const earlier = f.merge ? readEarlier(f.out) : undefined;
  const write = () => {
    const now = models.flatMap((m) => results.get(m.name) ?? []);
    if (!earlier) return writeResults(f, [command], columns, now);
    const merged = mergeResults(earlier, now, columns);
    return writeResults(f, [...earlier.commands, command], merged.columns, merged.rows);
  };
  try {
    await forEachConcurrently(models, Math.max(1, Number(f.jobs)), async (m) => {
      results.set(m.name, await runModel(plan, m));
      write(); // partial results survive an interrupted run
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const { markdown, json } = write();
  process.stdout.write(f.json ? `${JSON.stringify(json)}\n` : markdown);
}

/** `fn` over `items` with at most `jobs` running at once. */
async function forEachConcurrently<T>(items: T[], jobs: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
}

function writeResults(f: CoverageFlags, commands: string[], columns: Column[], rows: CoverageRow[]) {
  const command = commands.map((c) => `\`${c}\``).join(', then ');
  const { markdown, totals } = coverageMarkdown(command, columns, rows);
  const json = { commands, columns: columns.map((c) => ({ key: c.key, label: c.label })), totals, rows };
  mkdirSync(f.out, { recursive: true });
  writeFileAtomic(path.join(f.out, 'coverage.md'), markdown);
  writeFileAtomic(path.join(f.out, 'coverage.json'), `${JSON.stringify(json, null, 1)}\n`);
  return { markdown, json };
}

interface EarlierResults {
  commands: string[];
  columns: string[];
  rows: CoverageRow[];
}

/** The matrix a previous run wrote to <out>/coverage.json, for --merge. */
function readEarlier(out: string): EarlierResults {
  const file = path.join(out, 'coverage.json');
  if (!existsSync(file)) throw new ReproError(`--merge: ${file} does not exist; run without --merge first`);
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as {
      commands?: string[];
      command?: string;
      columns: Array<{ key: string }>;
      rows: CoverageRow[];
    };
    return { commands: j.commands ?? [j.command ?? ''], columns: j.columns.map((c) => c.key), rows: j.rows };
  } catch (e) {
    throw new ReproError(`--merge: ${file} is not a coverage.json this bench wrote (${(e as Error).message})`);
  }
}

/** Earlier rows with the cells run now replaced (new rows appended); columns in the bench's own order. */
function mergeResults(earlier: EarlierResults, now: CoverageRow[], ran: Column[]) {
  const keys = new Set([...earlier.columns, ...ran.map((c) => c.key)]);
  const columns = COLUMNS.filter((c) => keys.has(c.key));
  const rows = earlier.rows.map((r) => ({ ...r, cells: { ...r.cells } }));
  for (const r of now) {
    const old = rows.find((x) => x.model === r.model && x.bn === r.bn);
    if (old) Object.assign(old.cells, r.cells);
    else rows.push(r);
  }
  return { columns, rows };
}
