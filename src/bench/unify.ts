/**
 * `reprune bench unify`: ADMM unification vs the one-shot magnitude baseline at equal epochs, for blocks
 * {1x4, 4x4} and (unify, prune) in {(0.5,0), (0,0.5), (0.5,0.3), (0.6,0.3)} on trained lenet5/mlp (MNIST) and
 * vgg-small (Fashion-MNIST). Writes docs/bench/unify.md and .json.
 */
import { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../util/fs.js';
import { numberFlag, shownValue } from '../util/numbers.js';
import { ReproError } from '../util/errors.js';
import * as path from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/sources.js';
import type { Graph } from '../ir/graph.js';
import { evaluate } from '../runtime/evaluate.js';
import { BENCH_DATA, trainedModel } from '../models/trained.js';
import { markdownTable } from '../util/markdown.js';
import { runPass } from '../api/passes.js';
import type { UnifyReport } from '../passes/unify/pass.js';

type BenchRow = Record<string, number | string>;

interface UnifyBenchFlags {
  archs: string;
  blocks: string;
  settings: string;
  quick?: boolean;
  out: string;
}

export async function runBench(args: string[]): Promise<void> {
  const o = new Command('reprune bench unify')
    .option('--archs <list>', 'architectures', 'lenet5,mlp,vgg-small')
    .option('--blocks <list>', 'block shapes', '1x4,4x4')
    .option('--settings <list>', 'unify:prune pairs', '0.5:0,0:0.5,0.5:0.3,0.6:0.3')
    .option('--quick', 'train on 10k samples, 1 epoch per stage (a smoke run, not the reported numbers)')
    .option('--out <dir>', 'where to write unify.md/json', 'docs/bench')
    .parse(args, { from: 'user' })
    .opts<UnifyBenchFlags>();
  const settings = parseSettings(o.settings);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const rows: BenchRow[] = [];
  for (const arch of o.archs.split(',')) rows.push(...(await archRows(o, arch, settings, log)));
  writeResults(args, o.out, rows);
}

/** `--settings 0.5:0,0:0.5`: unify:prune fraction pairs, each in [0, 1] and together at most 1 (strict). */
function parseSettings(s: string): [number, number][] {
  const pairs = s.split(',').map((p) => p.split(':'));
  return pairs.map((p) => {
    const [u, q] = p.map((x) => numberFlag('--settings', x.trim(), { min: 0, max: 1 }));
    if (p.length !== 2 || u === undefined || q === undefined || u + q > 1)
      throw new ReproError(
        `--settings ${shownValue(s)}: expected unify:prune pairs such as 0.5:0.3, each pair summing to at most 1`,
      );
    return [u, q];
  });
}

/** Every block × (unify, prune) setting on one trained model, ADMM then one-shot (the pairs the table compares). */
async function archRows(
  o: UnifyBenchFlags,
  arch: string,
  settings: [number, number][],
  log: (s: string) => void,
): Promise<BenchRow[]> {
  const data = BENCH_DATA[arch]!;
  const { graph } = await trainedModel(arch, { log, epochs: 10 });
  const train = loadDataset(data, 'train', { limit: o.quick ? 10000 : undefined });
  const test = loadDataset(data, 'test');
  const dense = (await evaluate(graph, test)).accuracy;
  const rows: BenchRow[] = [];
  for (const blockSpec of o.blocks.split(',')) {
    for (const [unify, prune] of settings) {
      for (const mode of ['admm', 'oneshot'] as const) {
        const row = await unifyRow(graph, train, test, { arch, data, block: blockSpec, unify, prune, mode, dense });
        rows.push(row);
        log(
          `${arch} ${blockSpec} u=${unify} p=${prune} ${mode}: ${(100 * row.accuracy).toFixed(2)}% (dense ${(100 * dense).toFixed(2)}%), bits saved ${(100 * row.bitsSaved).toFixed(1)}%`,
        );
      }
    }
  }
  return rows;
}

/** One unification run with the bench's fixed schedule: accuracy, savings, epochs and wall time next to `id`. */
async function unifyRow(
  graph: Graph,
  train: Dataset,
  test: Dataset,
  id: {
    arch: string;
    data: string;
    block: string;
    unify: number;
    prune: number;
    mode: 'admm' | 'oneshot';
    dense: number;
  },
) {
  const { unify, prune, mode, dense } = id;
  const t0 = performance.now();
  // The registry's unify pass, as `reprune unify` runs it.
  const run = await runPass(
    'unify',
    graph,
    {
      block: id.block,
      unify,
      prune,
      scope: 'layer',
      mode,
      admmRounds: 3,
      epochsPerRound: 1,
      retrainEpochs: 1,
      rho: 1e-2,
      rhoGrowth: 2,
      lr: 0.01,
      seed: 0,
    },
    { data: train, evalData: test },
  );
  const r = run.report as UnifyReport;
  const a = r.accounting;
  return {
    ...id,
    accuracy: r.accuracy!,
    drop: dense - r.accuracy!,
    bitsSaved: 1 - a.bits / a.denseBits,
    multipliesSaved: 1 - a.multiplies / a.denseMultiplies,
    epochs: r.epochs,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Writes the JSON rows and the Markdown table (also printed on stdout) into `outDir`. */
function writeResults(args: string[], outDir: string, rows: BenchRow[]): void {
  mkdirSync(outDir, { recursive: true });
  const stem = args.includes('--settings') ? 'unify-extra' : 'unify'; // extra settings never overwrite the standard table
  writeFileAtomic(
    path.join(outDir, `${stem}.json`),
    JSON.stringify({ command: `reprune bench unify ${args.join(' ')}`.trim(), rows }, null, 2),
  );
  const table = pairTable(rows);
  writeFileAtomic(
    path.join(outDir, `${stem}.md`),
    `# ADMM unification vs one-shot${stem === 'unify' ? '' : ': extra settings'}\n\nCommand: \`reprune bench unify ${args.join(' ')}\`\n\n${table}\n`,
  );
  process.stdout.write(`${table}\n`);
}

/** One Markdown row per setting: ADMM next to one-shot. */
function pairTable(rows: BenchRow[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}`;
  return markdownTable(
    [
      'arch',
      'block',
      'unify',
      'prune',
      'dense %',
      'ADMM %',
      'one-shot %',
      'ADMM − one-shot',
      'bits saved',
      'multiplies saved',
      'epochs',
    ],
    groupPairs(rows).map(([a, b]) => [
      String(a.arch),
      String(a.block),
      String(a.unify),
      String(a.prune),
      pct(a.dense as number),
      pct(a.accuracy as number),
      pct(b.accuracy as number),
      pct((a.accuracy as number) - (b.accuracy as number)),
      `${pct(a.bitsSaved as number)} %`,
      `${pct(a.multipliesSaved as number)} %`,
      String(a.epochs),
    ]),
  );
}

/** (admm, oneshot) pairs of the same setting. */
function groupPairs(rows: BenchRow[]): Array<[BenchRow, BenchRow]> {
  const out: Array<[BenchRow, BenchRow]> = [];
  for (let i = 0; i + 1 < rows.length; i += 2) out.push([rows[i]!, rows[i + 1]!]);
  return out;
}
