/**
 * `reprune bench lop [--archs lenet5,vgg-small,resnet-small] [--ratios 0.5,0.7,0.9] [--epochs 2] [--seeds 3]
 * [--limit 10000] [--quick] [--out docs/bench]`: L1 channel pruning, then vanilla / vanilla+SP-KD / LOP / LOP+SP-KD
 * fine-tuning with identical schedules. Writes lop.md and lop.json (with the exact command) after every run,
 * so an interrupted bench still leaves its numbers.
 */
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../util/fs.js';
import * as path from 'node:path';
import { Command } from 'commander';
import { FINETUNE_RECIPE } from '../train/recipes.js';
import { ReproError } from '../util/errors.js';
import { numberFlag, numberListFlag, splitList } from '../util/numbers.js';
import { lopMarkdown, summarize } from './lop-report.js';
import { runLopBench, type LopBenchData, type LopBenchOptions } from './lop-run.js';
import { FINETUNE_MODES, type FinetuneMode } from '../passes/lop/finetune.js';
import { DEFAULT_SP_GAMMA, LOP_DEFAULT_RATE } from '../passes/lop/spec.js';

interface Flags {
  archs?: string;
  ratios?: string;
  epochs?: string;
  seeds?: string;
  otherSeeds?: string;
  modes?: string;
  limit?: string;
  evalLimit?: string;
  denseEpochs?: string;
  denseLimit?: string;
  expand?: string;
  spGamma?: string;
  spShare?: string;
  lr?: string;
  batch?: string;
  quick?: boolean;
  out: string;
  json?: boolean;
}

/** A number flag >= min (strict: '' and '0x10' are errors). */
const num = (flag: string, s: string | undefined, min = 0) => numberFlag(flag, s, { min });

/** `--modes a,b`: fine-tuning modes, each checked (default all four). */
function modesFlag(v: string | undefined): FinetuneMode[] {
  return (splitList(v) ?? [...FINETUNE_MODES]).map((m) => {
    if (!(FINETUNE_MODES as readonly string[]).includes(m))
      throw new ReproError(`--modes ${m}: choose from ${FINETUNE_MODES.join(', ')}`);
    return m as FinetuneMode;
  });
}

export function parseLopBenchArgs(args: string[]): { o: Omit<LopBenchOptions, 'log'>; out: string; json: boolean } {
  const f = new Command('reprune bench lop')
    .option('--archs <list>', 'zoo architectures (default lenet5,vgg-small,resnet-small; --quick: lenet5)')
    .option('--ratios <list>', 'fractions of channels pruned per group (default 0.5,0.7,0.9)')
    .option('--epochs <n>', 'fine-tuning epochs, same for every mode (default 2; --quick 1)')
    .option('--seeds <n>', 'seeds at the largest ratio (default 3; --quick 2)')
    .option('--other-seeds <n>', 'seeds at the other ratios (default 1)')
    .option('--modes <list>', `fine-tuning modes (default ${FINETUNE_MODES.join(',')})`)
    .option('--limit <n>', 'training samples for fine-tuning (default 10000; --quick 2000)')
    .option('--eval-limit <n>', 'test samples per evaluation (default all; --quick 2000)')
    .option('--dense-epochs <n>', 'epochs of the dense model when it must be trained (default 10)')
    .option('--dense-limit <n>', 'training samples of the dense model (default all)')
    .option('--expand <r>', `LOP expansion rate (default ${LOP_DEFAULT_RATE})`)
    .option('--sp-gamma <γ>', `SP-KD weight γ (default ${DEFAULT_SP_GAMMA})`)
    .option('--sp-share <s>', 'instead of a fixed γ: γ such that γ·L_SP starts at s × the cross-entropy')
    .option('--lr <x>', `fine-tuning learning rate (default ${FINETUNE_RECIPE.lr}, SGD momentum, cosine)`)
    .option('--batch <n>', `fine-tuning batch size (default ${FINETUNE_RECIPE.batch})`)
    .option('--quick', 'lenet5, ratios 0.5,0.9, 1 epoch on 2000 samples, 2 seeds')
    .option('--out <dir>', 'write lop.md and lop.json here', 'docs/bench')
    .option('--json', 'print JSON instead of Markdown')
    .exitOverride()
    .parse(args, { from: 'user' })
    .opts<Flags>();
  const q = Boolean(f.quick);
  const modes = modesFlag(f.modes);
  if (f.spGamma !== undefined && f.spShare !== undefined)
    throw new ReproError('--sp-gamma and --sp-share both set SP-KD’s γ: give one');
  const ratios = numberListFlag('--ratios', f.ratios, { min: 0 }) ?? (q ? [0.5, 0.9] : [0.5, 0.7, 0.9]);
  if (ratios.some((r) => r >= 1)) throw new ReproError(`--ratios ${f.ratios}: every ratio must be in [0, 1)`);
  const int = (flag: string, s: string | undefined, d: number | undefined, min = 1) =>
    numberFlag(flag, s, { integer: true, min }) ?? d;
  return {
    o: {
      archs: splitList(f.archs) ?? (q ? ['lenet5'] : ['lenet5', 'vgg-small', 'resnet-small']),
      ratios,
      modes,
      epochs: int('--epochs', f.epochs, q ? 1 : 2)!,
      seeds: int('--seeds', f.seeds, q ? 2 : 3)!,
      otherSeeds: int('--other-seeds', f.otherSeeds, 1)!,
      limit: int('--limit', f.limit, q ? 2000 : 10000),
      evalLimit: int('--eval-limit', f.evalLimit, q ? 2000 : undefined),
      denseEpochs: int('--dense-epochs', f.denseEpochs, 10)!,
      denseLimit: int('--dense-limit', f.denseLimit, undefined),
      expand: num('--expand', f.expand, 1) ?? LOP_DEFAULT_RATE,
      spGamma: num('--sp-gamma', f.spGamma),
      spShare: num('--sp-share', f.spShare, 0.001),
      lr: num('--lr', f.lr),
      batch: int('--batch', f.batch, undefined),
    },
    out: f.out,
    json: Boolean(f.json),
  };
}

function settingsText(command: string, o: Omit<LopBenchOptions, 'log'>): string {
  return [
    '# LOP bench: L1 channel pruning, then four fine-tuning modes',
    '',
    `Command: \`${command}\``,
    '',
    `Fine-tuning: ${o.epochs} epoch(s) on ${o.limit ?? 'all'} training samples, SGD momentum 0.9, lr ${o.lr ?? FINETUNE_RECIPE.lr} cosine, ` +
      `batch ${o.batch ?? FINETUNE_RECIPE.batch}, weight decay ${FINETUNE_RECIPE.weightDecay}; identical for every mode. LOP expansion r = ${o.expand}; ` +
      `SP-KD γ = ${o.spShare !== undefined ? `${o.spShare} × CE₀ / SP₀ (the share rule; each run's γ in the JSON)` : (o.spGamma ?? DEFAULT_SP_GAMMA)}, teacher = the dense model, layers = stage ends (pooling outputs and the classifier's input). ` +
      `Dense models: ${o.denseEpochs} epochs${o.denseLimit ? ` on ${o.denseLimit} samples` : ''} (cached). ` +
      `Test accuracy on ${o.evalLimit ?? 'all 10000'} test samples, of the saved model (LOP: after merging back). ` +
      `Seeds 0..${o.seeds - 1} at the largest ratio, ${o.otherSeeds} elsewhere (seed = data order and LOP factors); mean ± sample std.`,
    '',
    'Times are wall-clock on a CPU shared with other jobs: compare ratios within one table, not absolute values.',
  ].join('\n');
}

export async function runBench(args: string[]): Promise<void> {
  const { o, out, json } = parseLopBenchArgs(args);
  const command = `reprune bench lop ${args.join(' ')}`.trim();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const settings = settingsText(command, o);
  const write = (d: LopBenchData, done: boolean) => {
    mkdirSync(out, { recursive: true });
    const payload = { command, done, settings: o, ...d, summary: summarize(d.runs) };
    writeFileAtomic(path.join(out, 'lop.json'), `${JSON.stringify(payload, null, 2)}\n`);
    writeFileAtomic(
      path.join(out, 'lop.md'),
      `${lopMarkdown(d, settings).join('\n')}\n${done ? '' : '\n(incomplete: the bench is still running or was interrupted)\n'}`,
    );
    return payload;
  };
  const data = await runLopBench({ ...o, log, onProgress: (d) => write(d, false) });
  const payload = write(data, true);
  log(`wrote ${path.join(out, 'lop.md')} and lop.json`);
  process.stdout.write(json ? `${JSON.stringify(payload)}\n` : `${lopMarkdown(data, settings).join('\n')}\n`);
}
