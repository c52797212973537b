/**
 * Flags shared by `reprune train` and `reprune finetune` (their defaults live in train/recipes.ts), and the
 * JSON summary both print.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { parseFloatFlag, parseIntFlag } from './flags.js';
import { claimOutputs, type InputSpec } from '../util/output-guard.js';
import { ARCH_RECIPES, FINETUNE_RECIPE, type Recipe, recipeOptions } from '../train/recipes.js';
import type { TrainOptions, TrainResult } from '../train/trainer.js';

export { ARCH_RECIPES, FINETUNE_RECIPE };

export interface TrainFlags {
  data: string;
  epochs: number;
  batch?: number;
  lr?: number;
  optimizer?: string;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  schedule?: string;
  warmup?: number;
  labelSmoothing?: number;
  clipGradNorm?: number;
  seed?: number;
  augment?: boolean;
  flip?: boolean;
  shift?: number;
  randomResizedCrop?: number;
  limit?: number;
  checkpoint?: string;
  resume?: string;
  output: string;
  force?: boolean;
  json?: boolean;
}

export function addTrainFlags(cmd: Command): Command {
  return cmd
    .requiredOption('--data <spec>', "training data: 'mnist', 'fashion-mnist' or a directory of IDX/.npy files")
    .requiredOption('--epochs <n>', 'epochs', parseIntFlag('--epochs', 1))
    .requiredOption('-o, --output <file>', 'output .onnx file')
    .option('--batch <n>', 'batch size (default per architecture)', parseIntFlag('--batch', 1))
    .option('--lr <x>', 'base learning rate', parseFloatFlag('--lr', 0))
    .option('--optimizer <kind>', 'sgd, adam or adamw')
    .option('--momentum <x>', 'SGD momentum', parseFloatFlag('--momentum', 0, 1))
    .option('--nesterov', 'Nesterov momentum (SGD)')
    .option(
      '--weight-decay <x>',
      'weight decay (L2 for sgd/adam, decoupled for adamw)',
      parseFloatFlag('--weight-decay', 0),
    )
    .option('--schedule <kind>', 'learning-rate schedule: cosine, step or none')
    .option('--warmup <epochs>', 'linear warm-up epochs', parseFloatFlag('--warmup', 0))
    .option(
      '--label-smoothing <eps>',
      'label smoothing for cross-entropy',
      parseFloatFlag('--label-smoothing', 0, 0.999),
    )
    .option(
      '--clip-grad-norm <x>',
      'clip the global L2 norm of the gradients (e.g. 1; default no clipping)',
      parseFloatFlag('--clip-grad-norm', 0),
    )
    .option('--seed <s>', 'seed of shuffling and augmentation (default 0)', parseIntFlag('--seed', 0))
    .option('--augment', 'random shifts by up to 2 pixels')
    .option('--flip', 'augmentation: mirror left-right with probability 1/2')
    .option('--shift <px>', 'augmentation: random shifts by up to N pixels', parseIntFlag('--shift', 0))
    .option(
      '--random-resized-crop <min>',
      'augmentation: random resized crop keeping at least this fraction of the area',
      parseFloatFlag('--random-resized-crop', 0.01, 1),
    )
    .option('--limit <n>', 'use only the first N training samples', parseIntFlag('--limit', 1))
    .option('--checkpoint <file>', 'write a checkpoint after every epoch (one .onnx file holding the training state)')
    .option('--resume <file>', 'continue from a checkpoint written by --checkpoint (same flags)')
    .option('--force', 'replace an existing output file')
    .option('--json', 'print only a JSON summary on stdout');
}

/** Two paths naming one file (links and other spellings included). */
function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [fs.statSync(a), fs.statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

/**
 * Claim -o and --checkpoint before any work (util/output-guard.ts): never an input model or the --resume file
 * (compared as files), never each other. --checkpoint is rewritten every epoch: an existing one is replaced only
 * when resuming from it (`--resume` the same file) or with --force.
 */
export function checkCheckpointPath(
  f: Pick<TrainFlags, 'checkpoint' | 'resume' | 'output' | 'force'>,
  inputs: string[] = [],
): void {
  const resuming = !!f.checkpoint && f.resume !== undefined && sameFile(f.resume, f.checkpoint);
  const models: InputSpec[] = inputs.map((p) => ({ path: p, what: 'the input model' }));
  const resume: InputSpec[] = f.resume ? [{ path: f.resume, what: '--resume' }] : [];
  const bytes = inputs[0] ? fs.statSync(inputs[0], { throwIfNoEntry: false })?.size : undefined;
  claimOutputs([{ path: f.output, flag: '-o', bytes }], { inputs: [...models, ...resume], force: f.force });
  if (!f.checkpoint) return;
  const hint = `pass --resume ${f.checkpoint} to continue that run or --force to replace it`;
  claimOutputs([{ path: f.checkpoint, flag: '--checkpoint', replace: resuming, keep: true, existsHint: hint }], {
    inputs: resuming ? models : [...models, ...resume],
    force: f.force,
  });
}

/** Flags over recipe defaults → trainer options (without data, model and callbacks). */
export function trainOptionsFrom(f: TrainFlags, r: Recipe): Omit<TrainOptions, 'evalDs'> {
  return recipeOptions(f, r);
}

export function summary(res: TrainResult, extra: Record<string, unknown>, seconds: number): Record<string, unknown> {
  const last = res.history[res.history.length - 1];
  const sps = res.history.reduce((a, h) => a + h.samplesPerSecond, 0) / Math.max(1, res.history.length);
  return {
    ...extra,
    accuracy: last?.testAcc ?? null,
    testLoss: last?.testLoss ?? null,
    trainLoss: last?.loss ?? null,
    trainAccuracy: last?.trainAcc ?? null,
    epochs: res.history.length,
    samplesPerSecond: Math.round(sps),
    seconds: Math.round(seconds * 10) / 10,
    history: res.history,
  };
}
