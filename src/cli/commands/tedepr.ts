/**
 * `reprune tedepr --arch <mlp|lenet5|vgg-small> --data <spec> --sparsity 0.99 --score <kind> [--tt-rank r | --dense]
 *  --epochs N -o out.onnx [--json]`: build the zoo model (as TT layers unless --dense), prune at init by the score
 * with exactly the requested sparsity (relative to the dense model's weights), train from scratch with the mask
 * fixed, evaluate, and save the trained model (TT form, metadata 'reprune.tt' and 'reprune.tedepr').
 */
import type { Command } from 'commander';
import { loadDataset } from '../../data/sources.js';
import { isZooArch, ZOO_ARCHS } from '../../models/index.js';
import { saveOnnx } from '../../onnx/save.js';
import { isScoreKind, SCORE_KINDS } from '../../passes/pai/index.js';
import { runTedepr } from '../../passes/tedepr/pipeline.js';
import type { OptimizerKind } from '../../train/optim/index.js';
import { ReproError } from '../../util/errors.js';
import { checkOutputPath } from '../../util/fs.js';
import { parseFloatFlag, parseIntFlag } from '../main.js';

interface Flags {
  arch: string;
  data: string;
  sparsity: number;
  score: string;
  ttRank?: number | 'auto';
  trRank?: number;
  ttCores?: string;
  ttForm: string;
  dense?: boolean;
  epochs: number;
  batch: number;
  lr: number;
  optimizer: string;
  seed: number;
  scope: string;
  rounds?: number;
  limit?: number;
  testLimit?: number;
  output: string;
  force?: boolean;
  json?: boolean;
}

function parseRank(v: string): number | 'auto' {
  return v === 'auto' ? 'auto' : parseIntFlag('--tt-rank', 1)(v);
}

export async function runTedeprCommand(f: Flags) {
  if (!isZooArch(f.arch)) throw new ReproError(`--arch ${f.arch}: unknown; choose one of ${ZOO_ARCHS.join(', ')}`);
  if (!isScoreKind(f.score)) throw new ReproError(`--score ${f.score}: unknown; choose one of ${SCORE_KINDS.join(', ')}`);
  if (f.dense && f.ttRank !== undefined) throw new ReproError('--dense and --tt-rank exclude each other; pick one');
  if (f.scope !== 'global' && f.scope !== 'layer') throw new ReproError(`--scope ${f.scope}: use global or layer`);
  if (f.ttForm !== 'chain' && f.ttForm !== 'reconstruct') throw new ReproError(`--tt-form ${f.ttForm}: use chain or reconstruct`);
  const cores = f.ttCores === undefined || f.ttCores === 'auto' ? 'auto' : Number(f.ttCores);
  checkOutputPath(f.output, { force: f.force });
  const train = loadDataset(f.data, 'train', { limit: f.limit });
  const test = loadDataset(f.data, 'test', { limit: f.testLimit });
  const r = await runTedepr({
    arch: f.arch, train, test, sparsity: f.sparsity, score: f.score, ttRank: f.dense ? undefined : f.ttRank ?? 8,
    ringRank: f.trRank, ttCores: cores, ttForm: f.ttForm, epochs: f.epochs, batchSize: f.batch, lr: f.lr,
    optimizer: f.optimizer as OptimizerKind, seed: f.seed, scope: f.scope, rounds: f.rounds, progress: !f.json,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  saveOnnx(r.graph, f.output, { force: f.force });
  const { graph: _g, history, ...rest } = r;
  return { arch: f.arch, data: f.data, score: f.score, mode: f.dense ? 'dense' : 'tt', ...rest, epochs: history.length, output: f.output };
}

export function register(program: Command): void {
  program
    .command('tedepr')
    .description('TEDEPR: tensor-train layers + pruning at initialization, trained from scratch with the mask fixed')
    .requiredOption('--arch <arch>', 'zoo architecture: mlp, lenet5, vgg-small (any zoo arch works)')
    .requiredOption('--data <spec>', "training data: 'mnist', 'fashion-mnist' or a directory")
    .requiredOption('--sparsity <s>', 'fraction of the dense model weights that are zero, e.g. 0.99', parseFloatFlag('--sparsity', 0, 0.999999))
    .requiredOption('--score <kind>', `pruning-at-init score: ${SCORE_KINDS.join(', ')}`)
    .option('--tt-rank <r>', "tensor-train bond rank (default 8), or 'auto': the smallest rank whose cores hold 2× the kept weights", parseRank)
    .option('--dense', 'no TT layers: the dense pruning-at-init baseline')
    .option('--tr-rank <R>', 'tensor ring with cyclic rank R instead of a tensor train', parseIntFlag('--tr-rank', 2))
    .option('--tt-cores <d>', "cores per layer: 2..6 or 'auto'", 'auto')
    .option('--tt-form <form>', "fully connected TT layers: 'chain' (contract the input with the cores) or 'reconstruct' (rebuild W each step; same math, faster for small layers)", 'chain')
    .requiredOption('--epochs <n>', 'training epochs', parseIntFlag('--epochs', 1))
    .option('--batch <n>', 'batch size', parseIntFlag('--batch', 1), 128)
    .option('--lr <x>', 'learning rate (Adam, cosine decay)', parseFloatFlag('--lr', 0), 2e-3)
    .option('--optimizer <kind>', 'adam, adamw or sgd', 'adam')
    .option('--seed <n>', 'seed of the init, the scores and the data order', parseIntFlag('--seed', 0), 0)
    .option('--scope <scope>', 'top-k over all tensors (global) or per tensor (layer)', 'global')
    .option('--rounds <n>', 'rounds of the iterative scores (synflow 100, trainability 20)', parseIntFlag('--rounds', 1))
    .option('--limit <n>', 'use only the first N training samples', parseIntFlag('--limit', 1))
    .option('--test-limit <n>', 'evaluate on only the first N test samples', parseIntFlag('--test-limit', 1))
    .requiredOption('-o, --output <file>', 'output .onnx file (the trained model)')
    .option('--force', 'overwrite the output file')
    .option('--json', 'print {"accuracy", "sparsity", "params", "nonzeros", ...} as JSON on stdout')
    .action(async (f: Flags) => {
      const r = await runTedeprCommand(f);
      if (f.json) { process.stdout.write(`${JSON.stringify(r)}\n`); return; }
      process.stdout.write(
        `${f.arch} ${r.mode === 'tt' ? `TT rank ${r.ttRank}` : 'dense'} + ${f.score}: accuracy ${(100 * r.accuracy).toFixed(2)}%, ` +
          `sparsity ${(100 * r.sparsity).toFixed(2)}%, ${r.nonzeros} non-zero of ${r.params} params (dense model ${r.denseParams}); wrote ${f.output}\n`,
      );
    });
}
