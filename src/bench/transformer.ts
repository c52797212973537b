/**
 * `reprune bench transformer [--quick] [--epochs N] [--calib N] [--eval-limit N] [--finetune-epochs N]
 * [--finetune-limit N] [--out docs/bench]`
 *
 * The zoo ViT (`vit-small`, trained by reprune on its bench dataset, Fashion-MNIST, and cached like every bench
 * model), pruned without retraining: dense vs L1 vs REAP vs REAP+PRO (per-block ratios at the same MACs) at 30 % and 50 % of the MLP hidden
 * neurons of every block, and at 25 % of the
 * attention heads of every block. REAP calibrates on training images (token positions sampled; Grams streamed) and
 * reconstructs fc2 / the output projection and their biases by least squares. MACs count weight layers plus the
 * attention MatMuls q·kᵀ and ·v (which head pruning shrinks too). Also 2:4 on every block MatMul by magnitude, plain
 * and after a TileTrans search permutation of the MLP neurons, with NVIDIA's permutation efficacy. Writes `<out>/transformer.md` and `.json`.
 * Then every row's model is fine-tuned the same way (default 1 epoch on 10,000 images) and evaluated again.
 * --quick: a smoke run (1 epoch on 2,048 images, 64 calibration images, 500 test images, fine-tune on 512).
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { modelMetrics } from '../analysis/metrics.js';
import { prune } from '../api/prune.js';
import { runPass } from '../api/passes.js';
import { type Dataset, take } from '../data/dataset.js';
import { loadDataset } from '../data/sources.js';
import type { Graph } from '../ir/graph.js';
import { benchDataOf, trainedModel } from '../models/trained.js';
import { groupGrams } from '../passes/cut/behaviours.js';
import { groupStatuses } from '../passes/cut/groups.js';
import { pruneStructured } from '../passes/cut/prune.js';
import { tilePrune } from '../passes/tile/prune.js';
import { nmEfficacy } from '../passes/tiletrans/efficacy.js';
import { applyPermutations, tileTrans } from '../passes/tiletrans/index.js';
import { headGrams, pruneHeads } from '../passes/heads/prune-heads.js';
import { evaluate } from '../runtime/evaluate.js';
import { LOP_DEFAULT_RATE } from '../passes/lop/spec.js';
import { writeFileAtomic } from '../util/fs.js';
import { numberFlag } from '../util/numbers.js';

export interface TransformerRow {
  unit: 'dense' | 'MLP neurons' | 'heads' | 'hidden size' | '2:4 block MatMuls';
  ratio: number;
  method:
    | 'dense'
    | 'L1'
    | 'L1, fine-tuned with LOP + SP-KD'
    | 'NU'
    | 'REAP'
    | 'REAP+PRO'
    | 'magnitude'
    | 'TileTrans search, MLP neurons only + magnitude'
    | 'TileTrans search + magnitude';
  macs: number;
  accuracy: number;
  /** Accuracy after the fine-tuning epochs (`--finetune-epochs`), same recipe for every row; undefined when not run. */
  finetuned?: number;
  /** 2:4 rows: the permutation's efficacy (NVIDIA's metric) over all block MatMuls. */
  efficacy?: number | null;
}

const NM = { kind: 'nm', n: 2, m: 4 } as const;
/** Only the transformer blocks' MatMuls take 2:4 (the patch embedding and the head stay dense). */
const NM_SKIP = ['patch_embed.proj', 'head'];

interface Flags {
  quick?: boolean;
  epochs: string;
  trainLimit?: string;
  calib: string;
  evalLimit?: string;
  finetuneEpochs: string;
  finetuneLimit: string;
  data: string;
  cacheDir?: string;
  out: string;
}

function parseFlags(args: string[]): Flags {
  return new Command('reprune bench transformer')
    .option('--quick', 'a smoke run: 1 epoch on 2,048 images, 64 calibration images, 500 test images')
    .option('--epochs <n>', 'training epochs of the cached vit-small', '10')
    .option('--train-limit <n>', 'train on the first N images only (part of the cache key)')
    .option('--calib <n>', 'calibration images for REAP', '1000')
    .option('--eval-limit <n>', 'evaluate on the first N test images')
    .option('--finetune-epochs <n>', 'then fine-tune every row this many epochs (0: no fine-tuning)', '1')
    .option('--finetune-limit <n>', 'fine-tune on the first N training images', '10000')
    .option('--data <name>', 'dataset the ViT is trained, calibrated and tested on', benchDataOf('vit-small'))
    .option('--cache-dir <dir>', 'trained-model cache (default .cache/models or REPRUNE_MODEL_CACHE)')
    .option('--out <dir>', 'where to write transformer.md/json', 'docs/bench')
    .exitOverride()
    .parse(args, { from: 'user' })
    .opts<Flags>();
}

/** Weight MACs plus the activation MatMuls of attention (2·T²·H·d per block and sample), as `info` counts them. */
export function transformerMacs(g: Graph): number {
  return modelMetrics(g).totals.macs;
}

/** Fine-tuning of every row's model (`epochs` on `data`, AdamW at a tenth of the training learning rate). */
export interface TransformerFinetune {
  epochs: number;
  data: Dataset;
}

/**
 * Every row of the table on one trained model; `calib` images from `train` feed REAP and PRO. With `finetune`,
 * each row's model (dense included, so the gap compares like with like) is then fine-tuned and evaluated again.
 */
export async function transformerRows(
  g: Graph,
  train: ReturnType<typeof loadDataset>,
  test: ReturnType<typeof loadDataset>,
  calib: number,
  log: (s: string) => void,
  finetune?: TransformerFinetune,
): Promise<TransformerRow[]> {
  const row = async (
    unit: TransformerRow['unit'],
    ratio: number,
    method: TransformerRow['method'],
    m: Graph,
    teacher?: Graph,
  ) => {
    const r: TransformerRow = {
      unit,
      ratio,
      method,
      macs: transformerMacs(m),
      accuracy: (await evaluate(m, test)).accuracy,
    };
    if (finetune) r.finetuned = await finetuneAccuracy(m, finetune, test, teacher);
    const after = r.finetuned === undefined ? '' : `, ${(100 * r.finetuned).toFixed(2)} % fine-tuned`;
    log(`${unit} ${Math.round(100 * ratio)} % ${method}: ${(100 * r.accuracy).toFixed(2)} %${after}, ${r.macs} MACs`);
    return r;
  };
  const rows: TransformerRow[] = [await row('dense', 0, 'dense', g)];
  const mlpGrams = await groupGrams(g, train, { samples: calib, positions: 16 });
  for (const ratio of [0.3, 0.5]) {
    const l1 = pruneStructured(g, { method: 'l1', ratio }).graph;
    rows.push(await row('MLP neurons', ratio, 'L1', l1));
    // LOP on every block Linear, SP-KD from the dense model on the pooled features (the node feeding the head).
    if (finetune && ratio === 0.5) rows.push(await row('MLP neurons', ratio, 'L1, fine-tuned with LOP + SP-KD', l1, g));
    rows.push(
      await row('MLP neurons', ratio, 'NU', pruneStructured(g, { method: 'nu', ratio, grams: mlpGrams }).graph),
    );
    const reap = pruneStructured(g, { method: 'reap', ratio, grams: mlpGrams }).graph;
    rows.push(await row('MLP neurons', ratio, 'REAP', reap));
    // PRO picks per-block ratios for the weight MACs uniform REAP keeps (attention MatMuls do not change here).
    const budgetMacs = modelMetrics(reap).totals.macs / modelMetrics(g).totals.macs;
    const pro = await prune(g, { method: 'reap', budgetMacs, data: train, calib });
    rows.push(await row('MLP neurons', ratio, 'REAP+PRO', pro.graph));
  }
  const hGrams = await headGrams(g, train, { samples: calib, positions: 16 });
  rows.push(await row('heads', 0.25, 'L1', pruneHeads(g, { method: 'l1', ratio: 0.25 }).graph));
  rows.push(await row('heads', 0.25, 'REAP', pruneHeads(g, { method: 'reap', ratio: 0.25, grams: hGrams }).graph));
  rows.push(await row('hidden size', 0.25, 'L1', pruneHiddenOnly(g, 0.25)));
  rows.push(await row('2:4 block MatMuls', 0.5, 'magnitude', tilePrune(g, nmOptions()).graph));
  const search = tileTrans(g, { mode: 'search', pattern: NM, sparsity: 0.5, skip: NM_SKIP });
  // The same search without the head-dimension groups (MLP neurons only): what permuting inside heads adds.
  const mlpOnly = applyPermutations(
    g,
    search.permutations.filter((p) => !p.group.endsWith('#heads')),
  );
  for (const [method, permuted] of [
    ['TileTrans search, MLP neurons only + magnitude', mlpOnly],
    ['TileTrans search + magnitude', search.graph],
  ] as const) {
    const r = await row('2:4 block MatMuls', 0.5, method, tilePrune(permuted, nmOptions()).graph);
    rows.push({ ...r, efficacy: nmEfficacy(g, permuted, NM, NM_SKIP).overall });
  }
  return rows;
}

/** L1 on the residual stream alone (`--prune-hidden`, every other group skipped): LayerNorm statistics change. */
function pruneHiddenOnly(g: Graph, ratio: number): Graph {
  const others = groupStatuses(g, { behaviour: false })
    .filter((st) => !st.reason)
    .map((st) => st.key);
  return pruneStructured(g, { method: 'l1', ratio, pruneHidden: true, skip: others }).graph;
}

/** Accuracy after fine-tuning `m`; with a teacher, LOP (expand, train, merge) and SP-KD from it. */
async function finetuneAccuracy(m: Graph, f: TransformerFinetune, test: Dataset, teacher?: Graph): Promise<number> {
  const options = { epochs: f.epochs, optimizer: 'adamw', lr: 1e-4, batch: 128, weightDecay: 0.05, lop: !!teacher };
  const ctx = { data: f.data, ...(teacher ? { teacher } : {}) };
  const tuned = await runPass('finetune', m, options, ctx); // exact zeros (2:4) stay zero
  return (await evaluate(tuned.graph, test)).accuracy;
}

function nmOptions() {
  return { pattern: NM, sparsity: 0.5, skip: NM_SKIP, scope: 'layer' as const };
}

export function transformerTable(rows: TransformerRow[], command: string, model = '', finetuneText = ''): string {
  const dense = rows.find((r) => r.method === 'dense')!;
  const tuned = rows.some((r) => r.finetuned !== undefined);
  const pct = (x: number | undefined) => (x === undefined ? '–' : `${(100 * x).toFixed(2)} %`);
  const line = (r: TransformerRow) =>
    `| ${r.unit} | ${r.unit === 'dense' ? '–' : `${Math.round(100 * r.ratio)} %`} | ${r.method} | ${r.macs.toLocaleString('en-US')} | ${(100 * (1 - r.macs / dense.macs)).toFixed(1)} % | ${pct(r.accuracy)} |${tuned ? ` ${pct(r.finetuned)} |` : ''}`;
  const lines = [
    '## Transformer: pruning the zoo ViT, without retraining and after a short fine-tune',
    '',
    `\`${command}\``,
    '',
    ...(model ? [model, ''] : []),
    `| pruned | ratio | method | MACs/sample | MAC reduction | accuracy |${tuned ? ' after fine-tune |' : ''}`,
    `|---|---:|---|---:|---:|---:|${tuned ? '---:|' : ''}`,
    ...rows.map(line),
    '',
    'REAP+PRO: PRO chooses per-block ratios (REAP criterion, output error on the calibration images) for the weight ' +
      'MACs uniform REAP keeps at that ratio.',
    ...(tuned && finetuneText ? [finetuneText] : []),
    ...(rows.some((r) => r.method === 'L1, fine-tuned with LOP + SP-KD')
      ? [
          '"L1, fine-tuned with LOP + SP-KD": the L1 model above, fine-tuned the same way but with every block Linear ' +
            `expanded ×${LOP_DEFAULT_RATE} (LOP) and distilled from the dense model on the pooled features (SP-KD, γ = 300), then ` +
            'merged back into the same architecture.',
        ]
      : []),
    '',
    '2:4 rows keep dense MACs (the zeros need sparse kernels to pay off). Magnitude of a layer that reads a LayerNorm',
    "is |γ·W| (the norm's scale folded in, src/passes/importance/input-scale.ts). Permutation efficacy over the block MatMuls",
    `(kept after permutation − kept without) / (kept by an unconstrained magnitude mask − kept without): ${efficacyText(rows)}.`,
    'Permuted: MLP neurons (fc2 inputs) and the dimensions inside each head (v with the output projection rows, q',
    'with k). The residual stream is permutable too, but no swap helps all 17 of its readers, so the search leaves it.',
    'Hidden size: L1 on the residual stream alone (`reprune prune --method l1 --prune-hidden`); every LayerNorm then',
    'normalizes over fewer channels.',
    '',
  ];
  return lines.join('\n');
}

function efficacyText(rows: TransformerRow[]): string {
  const withE = rows.filter((r) => r.efficacy !== undefined);
  const pct = (e: number | null | undefined) => (e === undefined || e === null ? 'n/a' : `${(100 * e).toFixed(1)} %`);
  return withE.length ? withE.map((r) => `${pct(r.efficacy)} (${r.method})`).join(', ') : 'n/a';
}

export async function runBench(args: string[]): Promise<void> {
  const f = parseFlags(args);
  const quick = !!f.quick;
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const int = (flag: string, v: string | undefined) => numberFlag(flag, v, { integer: true, min: 1 });
  const epochs = quick ? 1 : int('--epochs', f.epochs)!;
  const trainLimit = int('--train-limit', f.trainLimit);
  const calib = quick ? 64 : int('--calib', f.calib)!;
  const evalLimit = int('--eval-limit', f.evalLimit);
  const { graph, file } = await trainedModel('vit-small', {
    data: f.data,
    epochs,
    limit: quick ? 2048 : trainLimit,
    cacheDir: f.cacheDir,
    log,
  });
  log(`vit-small: ${file}`);
  const train = loadDataset(f.data, 'train', { limit: Math.max(calib, 1) });
  const fullTest = loadDataset(f.data, 'test');
  const limit = quick ? 500 : evalLimit;
  const test = limit ? take(fullTest, Math.min(limit, fullTest.count)) : fullTest;
  const ftEpochs = numberFlag('--finetune-epochs', f.finetuneEpochs, { integer: true, min: 0 })!;
  const ftLimit = quick ? 512 : int('--finetune-limit', f.finetuneLimit)!;
  const finetune =
    ftEpochs > 0 ? { epochs: ftEpochs, data: loadDataset(f.data, 'train', { limit: ftLimit }) } : undefined;
  const rows = await transformerRows(graph, train, test, calib, log, finetune);
  const model = `Model: \`${path.basename(file)}\`, vit-small trained by reprune on ${f.data} (${quick ? 1 : epochs} epoch(s), AdamW recipe); accuracy on ${test.count.toLocaleString('en-US')} ${f.data} test images.`;
  const ftText = finetune
    ? `After fine-tune: every row's model (dense included) trained ${ftEpochs} epoch(s) on the first ${finetune.data.count.toLocaleString('en-US')} ${f.data} training images, AdamW lr 1e-4 (cosine), weight decay 0.05, batch 128; exact zeros held at zero.`
    : '';
  const md = transformerTable(rows, `reprune bench transformer ${args.join(' ')}`.trim(), model, ftText);
  mkdirSync(f.out, { recursive: true });
  writeFileAtomic(path.join(f.out, 'transformer.md'), md);
  writeFileAtomic(
    path.join(f.out, 'transformer.json'),
    `${JSON.stringify({ model: path.basename(file), rows }, null, 1)}\n`,
  );
  process.stdout.write(md);
}
