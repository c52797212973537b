/**
 * `reprune unify <in.onnx> -o out.onnx --data ... --block 4x4 --unify 0.5 --prune 0.3`: micro-structured weight
 * unification and pruning trained with ADMM (or the one-shot baseline with --baseline oneshot).
 */
import type { Command } from 'commander';
import { loadDataset } from '../../data/sources.js';
import { loadModelChecked } from '../../onnx/prepare.js';
import { saveOnnx } from '../../onnx/save.js';
import { parseBlock } from '../../passes/unify/blocks.js';
import { unifyModel } from '../../passes/unify/admm.js';
import { ReproError } from '../../util/errors.js';
import { checkOutputPath } from '../../util/fs.js';
import { parseFloatFlag, parseIntFlag } from '../main.js';

interface Flags {
  output: string; data: string; block: string; unify: number; prune: number; scope: string;
  admmRounds: number; epochsPerRound: number; retrainEpochs: number; rho: number; rhoGrowth: number;
  lr: number; batch: number; seed: number; limit?: number; baseline?: string; json?: boolean; force?: boolean;
}

export async function runUnify(file: string, f: Flags): Promise<Record<string, unknown>> {
  checkOutputPath(f.output, { inputs: [file], force: f.force });
  let block;
  try { block = parseBlock(f.block); } catch { throw new ReproError(`--block ${f.block}: expected HxW, e.g. 1x4 or 4x4`); }
  if (f.unify + f.prune > 1) throw new ReproError(`--unify ${f.unify} + --prune ${f.prune} exceed 1: at most all blocks can be constrained`);
  if (f.scope !== 'layer' && f.scope !== 'global') throw new ReproError(`--scope ${f.scope}: choose layer or global`);
  if (f.baseline !== undefined && f.baseline !== 'oneshot') throw new ReproError(`--baseline ${f.baseline}: the only baseline is 'oneshot'`);
  const g = loadModelChecked(file);
  const train = loadDataset(f.data, 'train', { limit: f.limit });
  const test = loadDataset(f.data, 'test');
  const t0 = performance.now();
  const res = await unifyModel(g, train, {
    block, unify: f.unify, prune: f.prune, scope: f.scope, mode: f.baseline ? 'oneshot' : 'admm',
    admmRounds: f.admmRounds, epochsPerRound: f.epochsPerRound, retrainEpochs: f.retrainEpochs, rho: f.rho, rhoGrowth: f.rhoGrowth,
    lr: f.lr, batchSize: f.batch, seed: f.seed, evalDs: test, progress: !f.json, log: (l) => process.stderr.write(`${l}\n`),
  });
  saveOnnx(res.graph, f.output, { inputs: [file], force: f.force });
  const a = res.accounting;
  return {
    model: file, output: f.output, method: f.baseline ? 'oneshot' : 'admm', block: f.block, unify: f.unify, prune: f.prune,
    accuracy: res.accuracy, unifiedBlocks: a.unifiedBlocks, prunedBlocks: a.prunedBlocks, blocks: a.blocks,
    bits: a.bits, denseBits: a.denseBits, multiplies: a.multiplies, denseMultiplies: a.denseMultiplies,
    epochs: res.epochs, rounds: res.rounds, seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}

export function register(program: Command): void {
  program
    .command('unify')
    .description('micro-structured weight unification and pruning, trained with ADMM')
    .argument('<model>', 'trained ONNX model')
    .requiredOption('-o, --output <file>', 'output .onnx file')
    .requiredOption('--data <spec>', "training data: 'mnist', 'fashion-mnist' or a directory")
    .option('--block <HxW>', 'block shape in the GEMM view', '4x4')
    .option('--unify <a>', 'fraction of blocks unified (sign · shared magnitude)', parseFloatFlag('--unify', 0, 1), 0.5)
    .option('--prune <p>', 'fraction of blocks pruned (zero)', parseFloatFlag('--prune', 0, 1), 0.3)
    .option('--scope <s>', 'fractions per layer or global', 'layer')
    .option('--admm-rounds <r>', 'ADMM rounds', parseIntFlag('--admm-rounds', 1), 3)
    .option('--epochs-per-round <n>', 'W-step epochs per round', parseIntFlag('--epochs-per-round', 1), 1)
    .option('--retrain-epochs <n>', 'epochs with the structure fixed after hard projection', parseIntFlag('--retrain-epochs', 0), 1)
    .option('--rho <x>', 'initial ADMM penalty ρ', parseFloatFlag('--rho', 0), 1e-2)
    .option('--rho-growth <x>', 'ρ multiplier per round', parseFloatFlag('--rho-growth', 1), 2)
    .option('--lr <x>', 'SGD learning rate', parseFloatFlag('--lr', 0), 0.01)
    .option('--batch <n>', 'batch size', parseIntFlag('--batch', 1), 128)
    .option('--seed <s>', 'seed', parseIntFlag('--seed', 0), 0)
    .option('--limit <n>', 'use only the first N training samples', parseIntFlag('--limit', 1))
    .option('--baseline <kind>', "'oneshot': magnitude projection + fine-tune with the same total epochs")
    .option('--force', 'replace an existing output file')
    .option('--json', 'print only a JSON summary on stdout')
    .action(async (file: string, f: Flags) => {
      const s = await runUnify(file, f);
      if (f.json) process.stdout.write(`${JSON.stringify(s)}\n`);
      else process.stderr.write(`wrote ${f.output}: accuracy ${(100 * (s.accuracy as number)).toFixed(2)}%, ${s.unifiedBlocks} unified + ${s.prunedBlocks} pruned of ${s.blocks} blocks, ${s.bits} bits (dense ${s.denseBits}), ${s.multiplies} multiplies (dense ${s.denseMultiplies})\n`);
    });
}
