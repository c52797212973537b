/**
 * `reprune bench unify`: gradual unification (what the pass's 'auto' runs when pruning hard; `--mode admm` for ADMM) vs the one-shot
 * magnitude baseline at equal epochs, for blocks
 * {1x4, 4x4} and (unify, prune) in {(0.5,0), (0,0.5), (0.5,0.3), (0.6,0.3)} on trained lenet5/mlp (MNIST) by
 * default; `--archs vgg-small` adds the Fashion-MNIST net, which is not a default because its grid is 64 epochs of
 * 60,000 images (8 settings × 2 trainings × 4 epochs): about 6 hours at the 330 s per epoch its baseline took on
 * one thread (docs/bench/baselines-training.md), more than a `reprune bench all` sitting. Writes
 * docs/bench/unify.md and .json (`--stem` names other files). The ADMM schedule
 * (`--admm-rounds`, `--retrain-epochs`, `--rho`, `--rho-growth`, `--scope`) is what docs/bench/unify-schedule.md
 * sweeps, `--lr` (default: the pass's) what docs/bench/unify-lr.md sweeps; one-shot always gets the same total epochs
 * and the same learning rate.
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
import { UNIFY_LR_DEFAULT, UNIFY_SPEC } from '../passes/unify/spec.js';

type BenchRow = Record<string, number | string>;

interface UnifyBenchFlags {
  archs: string;
  blocks: string;
  settings: string;
  quick?: boolean;
  out: string;
  stem?: string;
  scope: string;
  admmRounds: string;
  retrainEpochs: string;
  rho: string;
  rhoGrowth: string;
  lr: string;
  mode: string;
}

/** The challenger against one-shot: the pass's default mode unless --mode names another. */
type Challenger = 'admm' | 'gradual';
const MODE_LABEL: Record<Challenger, string> = { admm: 'ADMM', gradual: 'gradual' };

/** The ADMM schedule every row runs (one-shot retrains for admmRounds + retrainEpochs epochs: the same total). */
interface Schedule {
  scope: 'layer' | 'global';
  mode: Challenger;
  admmRounds: number;
  retrainEpochs: number;
  rho: number;
  rhoGrowth: number;
  lr: number;
}

const SETTINGS = '0.5:0,0:0.5,0.5:0.3,0.6:0.3';

/** A schedule default of the unify pass, as the flag's default text (the bench runs what the pass runs). */
const passDefault = (key: 'admmRounds' | 'retrainEpochs' | 'rho' | 'rhoGrowth') =>
  String(UNIFY_SPEC.options[key].default);

export async function runBench(args: string[]): Promise<void> {
  const o = new Command('reprune bench unify')
    .option('--archs <list>', 'architectures (vgg-small: ~6 h)', 'lenet5,mlp')
    .option('--blocks <list>', 'block shapes', '1x4,4x4')
    .option('--settings <list>', 'unify:prune pairs', SETTINGS)
    .option('--quick', 'dense model 1 epoch and every run on 10k samples (a smoke run, not the reported numbers)')
    .option('--out <dir>', 'where to write unify.md/json', 'docs/bench')
    .option('--stem <name>', 'file names in --out (default unify, or unify-extra with --settings)')
    .option('--scope <s>', "block fractions per 'layer' or over all layers ('global')", 'layer')
    .option('--admm-rounds <n>', 'ADMM rounds (or gradual ramp epochs) of one epoch each', passDefault('admmRounds'))
    .option(
      '--retrain-epochs <n>',
      'epochs with the structure fixed after ADMM or the ramp',
      passDefault('retrainEpochs'),
    )
    .option('--rho <x>', 'initial ADMM penalty', passDefault('rho'))
    .option('--rho-growth <x>', 'ρ multiplier per round', passDefault('rhoGrowth'))
    .option('--lr <x>', "SGD learning rate of every run (default: the unify pass's)", String(UNIFY_LR_DEFAULT))
    .option(
      '--mode <m>',
      "the training compared with one-shot: 'gradual' (what the unify pass's default 'auto' runs from 60 % pruned blocks) or 'admm'",
      'gradual',
    )
    .parse(args, { from: 'user' })
    .opts<UnifyBenchFlags>();
  const settings = parseSettings(o.settings);
  const schedule = parseSchedule(o);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const rows: BenchRow[] = [];
  for (const arch of o.archs.split(',')) rows.push(...(await archRows(o, arch, settings, schedule, log)));
  writeResults(
    args,
    o.out,
    o.stem ?? (args.includes('--settings') ? 'unify-extra' : 'unify'),
    rows,
    MODE_LABEL[schedule.mode],
  );
}

function parseSchedule(o: UnifyBenchFlags): Schedule {
  if (o.scope !== 'layer' && o.scope !== 'global')
    throw new ReproError(`--scope ${shownValue(o.scope)}: expected 'layer' or 'global'`);
  const int = (flag: string, v: string, min: number) => numberFlag(flag, v, { integer: true, min })!;
  if (o.mode !== 'admm' && o.mode !== 'gradual')
    throw new ReproError(
      `--mode ${shownValue(o.mode)}: expected 'gradual' or 'admm' (one-shot is always the other column)`,
    );
  return {
    scope: o.scope,
    mode: o.mode,
    admmRounds: int('--admm-rounds', o.admmRounds, 1),
    retrainEpochs: int('--retrain-epochs', o.retrainEpochs, 0),
    rho: numberFlag('--rho', o.rho, { min: 0 })!,
    rhoGrowth: numberFlag('--rho-growth', o.rhoGrowth, { min: 1 })!,
    lr: numberFlag('--lr', o.lr, { min: 0 })!,
  };
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

/** Every block × (unify, prune) setting on one trained model, the challenger then one-shot (the pairs compared). */
async function archRows(
  o: UnifyBenchFlags,
  arch: string,
  settings: [number, number][],
  schedule: Schedule,
  log: (s: string) => void,
): Promise<BenchRow[]> {
  const data = BENCH_DATA[arch]!;
  const limit = o.quick ? 10000 : undefined;
  const { graph } = await trainedModel(arch, { log, epochs: o.quick ? 1 : 10, limit });
  const train = loadDataset(data, 'train', { limit });
  const test = loadDataset(data, 'test');
  const dense = (await evaluate(graph, test)).accuracy;
  const rows: BenchRow[] = [];
  for (const blockSpec of o.blocks.split(',')) {
    for (const [unify, prune] of settings) {
      for (const mode of [schedule.mode, 'oneshot'] as const) {
        const id = { arch, data, block: blockSpec, unify, prune, mode, dense };
        const row = await unifyRow(graph, train, test, id, schedule);
        rows.push(row);
        log(
          `${arch} ${blockSpec} u=${unify} p=${prune} ${mode}: ${(100 * row.accuracy).toFixed(2)}% (dense ${(100 * dense).toFixed(2)}%), bits saved ${(100 * row.bitsSaved).toFixed(1)}%`,
        );
      }
    }
  }
  return rows;
}

/** One unification run with the bench's schedule: accuracy, savings, epochs and wall time next to `id`. */
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
    mode: Challenger | 'oneshot';
    dense: number;
  },
  schedule: Schedule,
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
      ...schedule,
      mode,
      epochsPerRound: 1,
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
    lr: schedule.lr,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Writes the JSON rows and the Markdown table (also printed on stdout) into `outDir`. */
function writeResults(args: string[], outDir: string, stem: string, rows: BenchRow[], label: string): void {
  mkdirSync(outDir, { recursive: true });
  writeFileAtomic(
    path.join(outDir, `${stem}.json`),
    JSON.stringify({ command: `reprune bench unify ${args.join(' ')}`.trim(), rows }, null, 2),
  );
  const table = pairTable(rows, label);
  writeFileAtomic(
    path.join(outDir, `${stem}.md`),
    `# ${label} unification vs one-shot${stem === 'unify' ? '' : ` (${stem})`}\n\nCommand: \`reprune bench unify ${args.join(' ')}\`\n\n${table}\n`,
  );
  process.stdout.write(`${table}\n`);
}

/** One Markdown row per setting: the challenger (`label`) next to one-shot. */
function pairTable(rows: BenchRow[], label: string): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}`;
  return markdownTable(
    [
      'arch',
      'block',
      'unify',
      'prune',
      'dense %',
      `${label} %`,
      'one-shot %',
      `${label} − one-shot`,
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
