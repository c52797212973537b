/**
 * Flags shared by `reprune train` and `reprune finetune` (their defaults live in train/recipes.ts), and the
 * JSON summary both print.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { parseFloatFlag, parseIntFlag } from './flags.js';
import { ReproError } from '../util/errors.js';
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
    .option('--checkpoint <file>', 'write a checkpoint (.onnx + .train.json) after every epoch')
    .option('--resume <file>', 'continue from a checkpoint written by --checkpoint (same flags)')
    .option('--force', 'replace an existing output file')
    .option('--json', 'print only a JSON summary on stdout');
}

/**
 * --checkpoint is rewritten every epoch, so it must never be the output, an input model, or (without --force)
 * an unrelated existing file; resuming from the same path is the normal way to continue a run.
 */
export function checkCheckpointPath(
  f: Pick<TrainFlags, 'checkpoint' | 'resume' | 'output' | 'force'>,
  inputs: string[] = [],
): void {
  if (!f.checkpoint) return;
  const ck = path.resolve(f.checkpoint);
  if (ck === path.resolve(f.output))
    throw new ReproError(`--checkpoint ${f.checkpoint}: same file as -o; give the checkpoint its own path`);
  for (const inp of inputs)
    if (ck === path.resolve(inp))
      throw new ReproError(
        `--checkpoint ${f.checkpoint}: refusing to overwrite the input model ${inp}; choose another path`,
      );
  if (!fs.existsSync(path.dirname(ck)))
    throw new ReproError(`--checkpoint ${f.checkpoint}: folder ${path.dirname(ck)} does not exist`);
  if (fs.existsSync(ck)) {
    if (fs.statSync(ck).isDirectory())
      throw new ReproError(`--checkpoint ${f.checkpoint}: is a directory; give a file path`);
    const resuming = f.resume !== undefined && path.resolve(f.resume) === ck;
    if (!resuming && !f.force)
      throw new ReproError(
        `--checkpoint ${f.checkpoint}: file exists; pass --resume ${f.checkpoint} to continue that run or --force to replace it`,
      );
  }
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
