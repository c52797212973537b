/**
 * Training recipes: the per-architecture defaults that reach the zoo's accuracy targets in 10 epochs, the
 * fine-tuning recipe, and `recipeOptions`, which turns a recipe plus overrides into trainer options. The CLI's
 * train/finetune flags, the finetune pass and the benches all go through it, so a default lives in one place.
 */
import type { Augment } from '../data/loader.js';
import { ReproError } from '../util/errors.js';
import type { OptimizerKind, ScheduleKind } from './optim/index.js';
import type { TrainOptions } from './trainer.js';

export interface Recipe {
  batch: number;
  lr: number;
  optimizer: OptimizerKind;
  momentum: number;
  weightDecay: number;
  schedule: ScheduleKind;
}

/** Defaults that reach the accuracy targets in 10 epochs (SGD + momentum, cosine decay). */
export const ARCH_RECIPES: Record<string, Recipe> = {
  mlp: { batch: 128, lr: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, schedule: 'cosine' },
  lenet5: { batch: 128, lr: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, schedule: 'cosine' },
  'vgg-small': { batch: 64, lr: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, schedule: 'cosine' },
  'resnet-small': { batch: 128, lr: 0.1, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, schedule: 'cosine' },
  'alexnet-small': { batch: 128, lr: 0.02, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, schedule: 'cosine' },
  // Transformers train poorly with plain SGD: AdamW as in the ViT paper (lr for batch 128).
  'vit-small': { batch: 128, lr: 1e-3, optimizer: 'adamw', momentum: 0, weightDecay: 0.05, schedule: 'cosine' },
};

/** Fine-tuning starts from trained weights: a smaller learning rate. */
export const FINETUNE_RECIPE: Recipe = {
  batch: 128,
  lr: 0.01,
  optimizer: 'sgd',
  momentum: 0.9,
  weightDecay: 5e-4,
  schedule: 'cosine',
};

/** What a caller may override in a recipe (flag names without dashes). */
export interface RecipeOverrides {
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
  /** Mirror left-right with probability 1/2. */
  flip?: boolean;
  /** Random shifts by up to this many pixels (`augment` alone means 2). */
  shift?: number;
  /** Random resized crop with this smallest area fraction (e.g. 0.08 as torchvision, 0.5 for small images). */
  randomResizedCrop?: number;
  checkpoint?: string;
  resume?: string;
}

function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v))
    throw new ReproError(`${flag} ${v}: choose one of ${allowed.join(', ')}`);
  return v as T;
}

/** The training augmentation the overrides ask for, or undefined for none. */
export function augmentOf(
  f: Pick<RecipeOverrides, 'augment' | 'flip' | 'shift' | 'randomResizedCrop'>,
): Augment | undefined {
  const shift = f.shift ?? (f.augment ? 2 : 0);
  const crop = f.randomResizedCrop;
  if (!shift && !f.flip && crop === undefined) return undefined;
  return {
    cropPad: shift,
    ...(f.flip ? { flip: true } : {}),
    ...(crop !== undefined ? { resizedCrop: { minScale: crop } } : {}),
  };
}

/** Overrides over recipe defaults → trainer options (without data, model and callbacks). */
export function recipeOptions(f: RecipeOverrides, r: Recipe): Omit<TrainOptions, 'evalDs'> {
  const kind = oneOf('--optimizer', f.optimizer ?? r.optimizer, ['sgd', 'adam', 'adamw'] as const);
  const schedule = oneOf('--schedule', f.schedule ?? r.schedule, ['cosine', 'step', 'none'] as const);
  const lr = f.lr ?? (kind === 'sgd' ? r.lr : 1e-3);
  if (!(lr > 0)) throw new ReproError(`--lr ${lr}: must be > 0`);
  const momentum = kind === 'sgd' ? (f.momentum ?? r.momentum) : undefined;
  return {
    epochs: f.epochs,
    batchSize: f.batch ?? r.batch,
    lr,
    optimizer: {
      kind,
      momentum,
      nesterov: f.nesterov,
      weightDecay: f.weightDecay ?? (kind === 'sgd' ? r.weightDecay : undefined),
    },
    schedule,
    warmupEpochs: f.warmup,
    labelSmoothing: f.labelSmoothing,
    clipGradNorm: f.clipGradNorm,
    seed: f.seed ?? 0,
    augment: augmentOf(f),
    checkpoint: f.checkpoint ? { path: f.checkpoint } : undefined,
    resume: f.resume,
    progress: true,
  };
}
