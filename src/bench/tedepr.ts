/**
 * `reprune bench tedepr [--quick] [--archs mlp,lenet5,vgg-small] [--sparsities 98,99,99.5]
 *   [--scores random,magnitude,snip,grasp,synflow,trainability] [--epochs N] [--tt-rank r|auto] [--json-out results.json]`
 *
 * For every (arch, sparsity, score): the dense model pruned at init by the score vs TEDEPR (TT layers, same score on
 * the cores), same seed, same epochs, same optimizer; same number of non-zero prunable weights. mlp and lenet5 run
 * on MNIST, the conv nets on Fashion-MNIST (`benchDataOf`). Prints a markdown table on stdout (one row per
 * arch/sparsity/score) and, per arch and sparsity, the best dense score vs the best TEDEPR score. Default --tt-rank auto: per sparsity the
 * smallest rank whose cores hold ≥ 2× the kept weights (a fixed rank would be denser than the budget at 90 %).
 * TT layers use the 'reconstruct' form here (identical numbers to the chain form, several times faster to train
 * at these layer sizes; --tt-form chain to measure the chain).
 * Default: sparsities 98/99/99.5 (where pruning at init is judged), seeds 0–2 (--seeds), the random-shuffle
 * control of the default score (--shuffle: of every score; --no-shuffle: none), and each architecture's budget of
 * TEDEPR_BUDGETS unless --epochs / --train-limit / --test-limit say otherwise.
 * --quick: mlp and lenet5, sparsities 90/99/99.5, 1 epoch on 20k training samples, one seed, no control.
 */
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../util/fs.js';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../data/sources.js';
import { ReproError } from '../util/errors.js';
import { numberFlag, numberListFlag, splitList } from '../util/numbers.js';
import { isScoreKind, SCORE_KINDS, type ScoreKind } from '../passes/pai/index.js';
import { buildModel } from '../models/index.js';
import { runTedepr, type TedeprResult } from '../passes/tedepr/pipeline.js';
import { TEDEPR_SPEC } from '../passes/tedepr/spec.js';
import { benchDataOf } from '../models/trained.js';
import { archBudget, budgetText, definedOnly, type TedeprBudget } from './tedepr-budget.js';
import { type Row, writeBestTable, writeShuffleTable } from './tedepr-report.js';

export { archBudget, TEDEPR_BUDGETS, type TedeprBudget } from './tedepr-budget.js';

export type { Row };

const list = (s: string): string[] => splitList(s) ?? [];

/** The score `reprune tedepr` uses by default: its random-shuffle control runs unless --no-shuffle. */
const DEFAULT_SCORE = TEDEPR_SPEC.options.score.default;

export interface BenchConfig {
  archs: string[];
  /** Fractions, e.g. 0.99. */
  sparsities: number[];
  scores: ScoreKind[];
  /** Flags that override every architecture's budget (the fields given). */
  budget: Partial<TedeprBudget>;
  quick: boolean;
  ttRank: number | 'auto';
  form: 'chain' | 'reconstruct';
  seed: number;
  /** Runs per setting: seeds seed, seed + 1, …; the summary tables give mean ± sample std. */
  seeds: number;
  /** Scores whose random-shuffle control also runs (same per-layer densities, masks shuffled). */
  shuffle: ScoreKind[];
  /** Rewrite this JSON file with all rows after every pair of runs. */
  jsonOut?: string;
}

export function benchConfig(o: {
  quick?: boolean;
  archs?: string;
  sparsities?: string;
  scores?: string;
  epochs?: string;
  ttRank?: string;
  form?: string;
  trainLimit?: string;
  testLimit?: string;
  seed?: string;
  seeds?: string;
  shuffle?: boolean;
  jsonOut?: string;
}): BenchConfig {
  const quick = !!o.quick;
  const scores = list(o.scores ?? SCORE_KINDS.join(','));
  for (const s of scores)
    if (!isScoreKind(s)) throw new ReproError(`--scores: '${s}' is unknown; use ${SCORE_KINDS.join(', ')}`);
  return {
    archs: list(o.archs ?? (quick ? 'mlp,lenet5' : 'mlp,lenet5,vgg-small')),
    // Percent (99.5) or fraction (0.995) both accepted.
    sparsities: numberListFlag('--sparsities', o.sparsities ?? (quick ? '90,99,99.5' : '98,99,99.5'), {
      min: 0,
      max: 100,
    })!.map((s) => (s > 1 ? s / 100 : s)),
    scores: scores as ScoreKind[],
    budget: definedOnly({
      epochs: numberFlag('--epochs', o.epochs, { integer: true, min: 1 }),
      trainLimit: numberFlag('--train-limit', o.trainLimit, { integer: true, min: 1 }),
      testLimit: numberFlag('--test-limit', o.testLimit, { integer: true, min: 1 }),
    }),
    quick,
    ttRank:
      o.ttRank === undefined || o.ttRank === 'auto'
        ? 'auto'
        : numberFlag('--tt-rank', o.ttRank, { integer: true, min: 1 })!,
    form: (o.form ?? 'reconstruct') as 'chain' | 'reconstruct',
    seed: numberFlag('--seed', o.seed, { integer: true, min: 0 }) ?? 0,
    // The control of the pass's default score unless told otherwise (true: every score's; false: none).
    shuffle:
      o.shuffle === true
        ? (scores as ScoreKind[])
        : o.shuffle === false || quick
          ? []
          : (scores.filter((s) => s === DEFAULT_SCORE) as ScoreKind[]),
    seeds: numberFlag('--seeds', o.seeds, { integer: true, min: 1 }) ?? (quick ? 1 : 3),
    jsonOut: o.jsonOut,
  };
}

/** `reprune bench tedepr ARGS` (registered in src/cli/commands/bench.ts), or standalone: node --import tsx src/passes/tedepr/bench.ts [--quick] [--archs ..] [--sparsities ..] [--scores ..] [--epochs N] [--tt-rank r|auto] [--tt-form ..] [--train-limit N] [--json-out file] */
export async function runBench(args: string[]): Promise<void> {
  const { help, out, ...values } = parseBenchArgs(args).values;
  if (help) {
    process.stdout.write(
      'usage: reprune bench tedepr [--quick] [--archs mlp,lenet5,vgg-small] [--sparsities 98,99,99.5] [--scores random,...] [--epochs N] [--tt-rank r|auto] [--tt-form chain|reconstruct] [--train-limit N] [--test-limit N] [--seed N] [--seeds N] [--shuffle] [--json-out file]\n  --seeds N  run every setting with seeds seed..seed+N-1; the summary tables give mean ± std\n  --shuffle  run the random-shuffle control (Frankle et al. 2021: per-layer densities kept, masks shuffled) of every score, not only the default score’s; --no-shuffle: of none\n',
    );
    return;
  }
  const cfg = benchConfig({
    ...values,
    ttRank: values['tt-rank'],
    form: values['tt-form'],
    trainLimit: values['train-limit'],
    testLimit: values['test-limit'],
    jsonOut: values['json-out'],
    shuffle: values['no-shuffle'] ? false : values.shuffle,
  });
  const { markdown, rows } = await benchTedepr(cfg, (line) => process.stdout.write(line));
  if (out) {
    mkdirSync(out, { recursive: true });
    const command =
      `reprune bench tedepr ${args.filter((a, i) => a !== '--out' && args[i - 1] !== '--out').join(' ')}`.trim();
    writeFileAtomic(
      path.join(out, 'tedepr.md'),
      `# TEDEPR vs pruning at initialization\n\nCommand: \`${command}\`\n\n${markdown}`,
    );
    writeFileAtomic(path.join(out, 'tedepr.json'), JSON.stringify({ command, ...resultJson(cfg, rows) }, null, 1));
  }
}

/** The bench's flags; a parse error becomes a ReproError pointing at --help. */
function parseBenchArgs(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        help: { type: 'boolean' },
        quick: { type: 'boolean' },
        archs: { type: 'string' },
        sparsities: { type: 'string' },
        scores: { type: 'string' },
        epochs: { type: 'string' },
        'tt-rank': { type: 'string' },
        'tt-form': { type: 'string' },
        'train-limit': { type: 'string' },
        'test-limit': { type: 'string' },
        seed: { type: 'string' },
        seeds: { type: 'string' },
        shuffle: { type: 'boolean' },
        'no-shuffle': { type: 'boolean' },
        'json-out': { type: 'string' },
        out: { type: 'string' },
      },
    });
  } catch (e) {
    throw new ReproError(`bench tedepr: ${(e as Error).message}; run 'reprune bench tedepr --help'`);
  }
}

/** Runs every (arch, sparsity, score) dense vs TEDEPR pair; `emit` receives the Markdown as it grows. */
export async function benchTedepr(
  cfg: BenchConfig,
  emit: (s: string) => void,
): Promise<{ markdown: string; rows: Row[] }> {
  const { archs, sparsities, scores, ttRank, form, seed } = cfg;
  let md = '';
  const write = (s: string) => {
    md += s;
    emit(s);
  };
  const rows: Row[] = [];
  write(
    `TEDEPR bench: TT rank ${ttRank} (${form}), ${cfg.seeds > 1 ? `seeds ${seed}–${seed + cfg.seeds - 1}` : `seed ${seed}`}, Adam lr 2e-3 cosine, batch 128; ${archs.map((a) => budgetText(a, archBudget(cfg, a))).join('; ')}\n\n`,
  );
  write(
    '| arch | sparsity | score | dense acc | TEDEPR acc | nonzeros dense / TT | score s dense / TT | train s dense / TT | infer ms/batch500 dense / TT |\n',
  );
  write('|---|---|---|---|---|---|---|---|---|\n');
  for (const arch of archs) {
    const data = benchDataOf(arch);
    const budget = archBudget(cfg, arch);
    const train = loadDataset(data, 'train', { limit: budget.trainLimit });
    const test = loadDataset(data, 'test', { limit: budget.testLimit });
    for (const sparsity of sparsities) {
      for (const score of scores)
        for (const shuffled of cfg.shuffle.includes(score) ? [false, true] : [false])
          for (let s = seed; s < seed + cfg.seeds; s++) {
            const run = { arch, sparsity, score, shuffled, seed: s };
            const pair = await runPair(cfg, budget.epochs, run, train, test, rows);
            const label = `${scoreLabel(score, shuffled)}${cfg.seeds > 1 ? `, seed ${s}` : ''}`;
            write(pairLine(arch, sparsity, label, pair));
            // Rewritten after every pair so a long run leaves usable results if it is stopped.
            if (cfg.jsonOut) writeFileAtomic(cfg.jsonOut, JSON.stringify(resultJson(cfg, rows), null, 1));
          }
    }
  }
  writeBestTable(archs, sparsities, rows, write);
  if (cfg.shuffle.length) writeShuffleTable(rows, write);
  return { markdown: md, rows };
}

/** The JSON of a run: every architecture's budget, the TT settings and the rows. */
export function resultJson(cfg: BenchConfig, rows: Row[]) {
  const budgets = Object.fromEntries(cfg.archs.map((a) => [a, archBudget(cfg, a)]));
  return { budgets, ttRank: cfg.ttRank, form: cfg.form, seed: cfg.seed, rows };
}

const scoreLabel = (score: ScoreKind, shuffled: boolean) => (shuffled ? `${score}+shuffle` : score);

/** Dense pruning at init vs TEDEPR from the same fresh model (same seed); both runs are appended to `rows`. */
async function runPair(
  cfg: BenchConfig,
  epochs: number,
  { arch, sparsity, score, shuffled, seed }: Pick<Row, 'arch' | 'sparsity' | 'score' | 'shuffled' | 'seed'>,
  train: ReturnType<typeof loadDataset>,
  test: ReturnType<typeof loadDataset>,
  rows: Row[],
): Promise<Record<'dense' | 'tt', TedeprResult>> {
  const { ttRank, form } = cfg;
  const pair: Partial<Record<'dense' | 'tt', TedeprResult>> = {};
  for (const mode of ['dense', 'tt'] as const) {
    const fresh = buildModel(arch, { seed, numClasses: train.numClasses });
    const r = await runTedepr(fresh, train, test, {
      arch,
      reinit: false,
      sparsity,
      score,
      shuffle: shuffled,
      ttRank: mode === 'tt' ? ttRank : undefined,
      ttForm: form,
      epochs,
      seed,
    });
    pair[mode] = r;
    rows.push({
      arch,
      sparsity,
      score,
      shuffled,
      mode,
      seed,
      ttRank: r.ttRank,
      accuracy: r.accuracy,
      nonzeros: r.nonzeros,
      prunableNonzeros: r.prunableNonzeros,
      params: r.params,
      scoreSeconds: r.scoreSeconds,
      trainSeconds: r.trainSeconds,
      inferenceMsPerBatch: r.inferenceMsPerBatch,
    });
    process.stderr.write(
      `${arch} ${(100 * sparsity).toFixed(1)}% ${scoreLabel(score, shuffled)} ${mode}: ${(100 * r.accuracy).toFixed(2)}% (${r.nonzeros} nz)\n`,
    );
  }
  return { dense: pair.dense!, tt: pair.tt! };
}

/** One Markdown row comparing the dense and TEDEPR runs of a pair. */
function pairLine(
  arch: string,
  sparsity: number,
  score: string,
  { dense: d, tt: t }: Record<'dense' | 'tt', TedeprResult>,
): string {
  return `| ${arch} | ${(100 * sparsity).toFixed(1)}% | ${score} (r=${t.ttRank}) | ${(100 * d.accuracy).toFixed(2)} | ${(100 * t.accuracy).toFixed(2)} | ${d.nonzeros} / ${t.nonzeros} | ${d.scoreSeconds.toFixed(1)} / ${t.scoreSeconds.toFixed(1)} | ${d.trainSeconds.toFixed(1)} / ${t.trainSeconds.toFixed(1)} | ${d.inferenceMsPerBatch.toFixed(1)} / ${t.inferenceMsPerBatch.toFixed(1)} |\n`;
}
