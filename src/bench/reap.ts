/**
 * `reprune bench reap [--quick] [--archs a,b] [--reductions 0.3,0.5,0.7] [--sizes 256,...] [--no-scaling]
 * [--no-accuracy] [--out docs/bench] [--json]`: REAP selection scaling and no-retraining accuracy of
 * L1 / NU / REAP / REAP+PRO (+ SRN variants). Markdown on stdout (or JSON), files in --out.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { PRO_SAMPLES_MAX, PRO_SAMPLES_MIN } from '../passes/options.js';
import { ReproError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { numberFlag, numberListFlag, splitList } from '../util/numbers.js';
import { type AccuracyOptions, type AccuracyRow, FINETUNE_SUMMARY, runAccuracy, VARIANTS } from './reap-accuracy.js';
import { runScaling } from './reap-scaling.js';

interface Flags {
  quick?: boolean;
  archs?: string;
  reductions?: string;
  sizes?: string;
  naiveMax?: string;
  calib?: string;
  evalLimit?: string;
  trainEpochs?: string;
  trainLimit?: string;
  proStep?: string;
  proSamples?: string;
  finetuneEpochs?: string;
  finetuneLimit?: string;
  variants?: string;
  scaling: boolean;
  accuracy: boolean;
  latency: boolean;
  out?: string;
  json?: boolean;
}

/** A comma-separated list of non-negative numbers (strict: '' is an error, not the default). */
const nums = (flag: string, s: string | undefined, integer = false) => numberListFlag(flag, s, { integer, min: 0 });

/** One non-negative whole number (strict). */
const one = (flag: string, s: string | undefined) => numberFlag(flag, s, { integer: true, min: 0 });

export async function runBench(args: string[]): Promise<void> {
  const f = parseFlags(args);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const result: Record<string, unknown> = { command: `reprune bench reap ${args.join(' ')}`.trim() };
  const md: string[] = [`# REAP bench\n\nCommand: \`${result.command}\`\n`];
  // Every flag is checked before the first part runs, not after minutes of work.
  const sizes =
    nums('--sizes', f.sizes, true) ?? (f.quick ? [64, 128, 256, 512, 1024] : [64, 128, 256, 512, 1024, 2048]);
  const naiveMax = one('--naive-max', f.naiveMax) ?? (f.quick ? 256 : 512);
  const accuracy = accuracyOptions(f, log);
  if (f.scaling) {
    const s = runScaling(sizes, naiveMax, log);
    result.scaling = s;
    md.push(...scalingTable(s));
  }
  if (f.accuracy) {
    const a = await runAccuracy(accuracy);
    result.accuracy = a;
    md.push(...accuracyTables(a.rows, a.dense));
  }
  const text = `${md.join('\n')}\n`;
  if (f.out) {
    mkdirSync(f.out, { recursive: true });
    writeFileAtomic(path.join(f.out, 'reap.md'), text);
    writeFileAtomic(path.join(f.out, 'reap.json'), `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${path.join(f.out, 'reap.md')} and reap.json`);
  }
  process.stdout.write(f.json ? `${JSON.stringify(result)}\n` : text);
}

function parseFlags(args: string[]): Flags {
  return new Command('reprune bench reap')
    .option('--quick', 'mlp + lenet5 only, n up to 1024, 1000 test samples')
    .option('--archs <list>', 'zoo architectures (default mlp,lenet5,vgg-small,resnet-small)')
    .option('--reductions <list>', 'MAC reductions (default 0.3,0.5,0.7)')
    .option('--sizes <list>', 'layer widths for the scaling part (default 64,128,256,512,1024,2048)')
    .option('--naive-max <n>', 'largest width for the naive O(n⁴) reference (default 512)')
    .option('--calib <n>', 'calibration samples (default 2000)')
    .option('--eval-limit <n>', 'test samples per evaluation (default: all)')
    .option('--train-epochs <n>', 'epochs when a model must be trained (default 10)')
    .option('--train-limit <n>', 'training samples when a model must be trained (default: all)')
    .option('--pro-step <f>', 'PRO step per proposal (default 0.1)')
    .option(
      '--pro-samples <n>',
      `calibration samples PRO's logit error is measured on (default ${PRO_SAMPLES_MAX}, down to ${PRO_SAMPLES_MIN} on large models)`,
    )
    .option(
      '--finetune-epochs <n>',
      `fine-tune epochs after pruning, equal for every variant (default 1; 0 = none); ${FINETUNE_SUMMARY}`,
    )
    .option('--finetune-limit <n>', 'training samples for the fine-tune (default 10000)')
    .option('--variants <list>', 'accuracy variants (default all: L1, L1+PRO, NU, NU+PRO, REAP, REAP+PRO, SRN+…)')
    .option('--no-scaling', 'skip the scaling part')
    .option('--no-accuracy', 'skip the accuracy part')
    .option('--no-latency', 'skip ORT latency of pruned models')
    .option('--out <dir>', 'write reap.md and reap.json here')
    .option('--json', 'print JSON instead of Markdown')
    .exitOverride()
    .parse(args, { from: 'user' })
    .opts<Flags>();
}

/** Options of the accuracy part; `--quick` shrinks the default architectures and test set. */
function accuracyOptions(f: Flags, log: (s: string) => void): AccuracyOptions {
  return {
    archs: splitList(f.archs) ?? (f.quick ? ['mlp', 'lenet5'] : ['mlp', 'lenet5', 'vgg-small', 'resnet-small']),
    reductions: nums('--reductions', f.reductions) ?? [0.3, 0.5, 0.7],
    calib: one('--calib', f.calib) ?? 2000,
    evalLimit: one('--eval-limit', f.evalLimit) ?? (f.quick ? 1000 : undefined),
    trainEpochs: one('--train-epochs', f.trainEpochs) ?? 10,
    trainLimit: one('--train-limit', f.trainLimit),
    proStep: numberFlag('--pro-step', f.proStep, { min: 0, max: 1 }) ?? 0.1,
    proSamples: numberFlag('--pro-samples', f.proSamples, { integer: true, min: 1 }),
    // After-fine-tune accuracy by default: criteria are compared after equal training, not only one-shot.
    finetuneEpochs: numberFlag('--finetune-epochs', f.finetuneEpochs, { integer: true, min: 0 }) ?? (f.quick ? 0 : 1),
    finetuneLimit: one('--finetune-limit', f.finetuneLimit) ?? 10000,
    latency: f.latency,
    variants: variantsFlag(f.variants),
    log,
  };
}

/** `--variants L1,REAP+PRO`: labels of VARIANTS, each checked. */
function variantsFlag(v: string | undefined): string[] | undefined {
  const labels = splitList(v);
  const known = VARIANTS.map((x) => x.label);
  for (const l of labels ?? [])
    if (!known.includes(l)) throw new ReproError(`--variants: '${l}' is unknown; choose from ${known.join(', ')}`);
  return labels;
}

/** Markdown of the scaling part: selection time per width and the fitted exponents. */
function scalingTable(s: ReturnType<typeof runScaling>): string[] {
  const md = ['## Scaling: REAP selection time (remove n/2 of n, 256 outgoing weights per neuron)\n'];
  md.push(
    'CPU seconds of the selection (single-threaded; wall time in the JSON).\n',
    '| n | fast O(n³) [s] | naive O(n⁴) [s] |',
    '|---|---|---|',
  );
  for (const r of s.rows) md.push(`| ${r.n} | ${r.fastSec.toFixed(3)} | ${r.naiveSec?.toFixed(3) ?? '—'} |`);
  md.push(
    '',
    `Fitted exponent (log t vs log n): fast ${s.fastExponent.toFixed(2)} (n ≥ 256)${s.naiveExponent !== undefined ? `, naive ${s.naiveExponent.toFixed(2)} (n ≥ 128)` : ''}.\n`,
  );
  return md;
}

function accuracyTables(rows: AccuracyRow[], dense: Record<string, number>): string[] {
  const out = ['## Accuracy without retraining (top-1 %, test set; actual MAC reduction in parentheses)\n'];
  for (const arch of Object.keys(dense)) {
    const mine = rows.filter((r) => r.arch === arch);
    const targets = [...new Set(mine.map((r) => r.target))];
    const ft = mine.some((r) => r.finetuned !== undefined);
    out.push(`### ${arch} on ${mine[0]?.data ?? '?'} — dense ${(100 * dense[arch]!).toFixed(2)} %\n`);
    out.push(
      `| method | ${targets.map((t) => `−${Math.round(100 * t)} % MACs`).join(' | ')} |`,
      `|---|${targets.map(() => '---').join('|')}|`,
    );
    for (const m of [...new Set(mine.map((r) => r.method))]) {
      const cells = targets.map((t) => {
        const r = mine.find((x) => x.method === m && x.target === t);
        if (!r) return '—';
        return `${(100 * r.accuracy).toFixed(2)} (−${(100 * r.macReduction).toFixed(0)} %)${ft ? ` → ${(100 * r.finetuned!).toFixed(2)}` : ''}${r.speedup ? `, ${r.speedup.toFixed(2)}×` : ''}`;
      });
      out.push(`| ${m} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  if (rows.some((r) => r.finetuned !== undefined))
    out.push(
      `→ after fine-tuning, the same for every variant: ${FINETUNE_SUMMARY} (SRN's BN-free nets diverge without it).\n`,
    );
  if (rows.some((r) => r.speedup)) out.push('Speedup = dense / pruned ORT latency (batch 32, median of 20 runs).\n');
  out.push(...proVsUniform(rows));
  return out;
}

/** PRO's per-layer ratios vs one uniform ratio at the same MAC budget, per criterion (points of accuracy). */
export function proVsUniform(rows: AccuracyRow[]): string[] {
  const pairs = rows.flatMap((p) => {
    if (!p.method.endsWith('+PRO')) return [];
    const u = rows.find((r) => r.arch === p.arch && r.target === p.target && r.method === p.method.slice(0, -4));
    return u ? [{ u, p }] : [];
  });
  if (!pairs.length) return [];
  const ft = pairs.some(({ u }) => u.finetuned !== undefined);
  // The MACs each one actually removed: PRO's steps are whole channels, so it can overshoot a small model's budget.
  const cell = (r: AccuracyRow) =>
    `${(100 * r.accuracy).toFixed(2)} (−${(100 * r.macReduction).toFixed(0)} %)${r.proUsedUniform ? ' †' : ''}`;
  const diff = (a?: number, b?: number) => (a === undefined || b === undefined ? '—' : (100 * (a - b)).toFixed(2));
  const out = [
    '## PRO vs uniform ratios at the same MAC budget (accuracy, MACs actually removed; points: > 0 PRO ahead)\n',
    `| model | criterion | target | uniform | PRO | PRO − uniform${ft ? ' | after fine-tune: PRO − uniform' : ''} |`,
    `|---|---|---|---|---|---|${ft ? '---|' : ''}`,
  ];
  for (const { u, p } of pairs)
    out.push(
      `| ${u.arch} | ${u.method} | −${Math.round(100 * u.target)} % | ${cell(u)} | ${cell(p)} | ${diff(p.accuracy, u.accuracy)}${ft ? ` | ${diff(p.finetuned, u.finetuned)}` : ''} |`,
    );
  if (pairs.some(({ p }) => p.proUsedUniform))
    out.push(
      '',
      '† PRO measured one uniform ratio as better than its own search on its samples (lower logit error) and used it.',
    );
  out.push('');
  return out;
}
