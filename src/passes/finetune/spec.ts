/** What the registry knows of `finetune` (cheap to import). */
import type { PassSpec } from '../contract.js';
import { DEFAULT_SP_GAMMA, LOP_DEFAULT_RATE } from '../lop/spec.js';

export interface FinetuneOptions {
  epochs: number;
  batch?: number;
  lr?: number;
  optimizer?: 'sgd' | 'adam' | 'adamw';
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  schedule?: 'cosine' | 'step' | 'none';
  warmup?: number;
  labelSmoothing?: number;
  clipGradNorm?: number;
  seed: number;
  augment: boolean;
  /** Training augmentation: mirror, shift by up to N pixels, random resized crop (smallest area fraction). */
  flip?: boolean;
  shift?: number;
  randomResizedCrop?: number;
  /** Exact zeros of the input stay zero (a mask). */
  mask: boolean;
  /** Linear over-parameterization: expand every layer, train, merge back. */
  lop: boolean;
  expand: number;
  /** SP-KD weight γ (with a teacher in the context); ignored when `spShare` is given. */
  spGamma: number;
  /** Instead of a fixed γ: γ such that SP-KD starts at this share of the cross-entropy (passes/lop/sp-gamma.ts). */
  spShare?: number;
  spLayers?: string[];
}

export const FINETUNE_SPEC: PassSpec<FinetuneOptions> = {
  name: 'finetune',
  kind: 'train',
  summary: 'fine-tune a (pruned) model; optionally LOP (expand, train, merge) and SP-KD from a dense teacher',
  data: 'training',
  options: {
    epochs: { type: 'number', integer: true, min: 1, default: 1, help: 'epochs' },
    batch: { type: 'number', integer: true, min: 1, help: 'batch size (default 128)' },
    lr: { type: 'number', min: 0, help: 'base learning rate (default 0.01 for SGD, 0.001 for Adam)' },
    optimizer: { type: 'choice', values: ['sgd', 'adam', 'adamw'], help: 'sgd (default), adam or adamw' },
    momentum: { type: 'number', min: 0, max: 1, help: 'SGD momentum (default 0.9)' },
    nesterov: { type: 'boolean', help: 'Nesterov momentum (SGD)' },
    weightDecay: { type: 'number', min: 0, help: 'weight decay (default 5e-4 for SGD)' },
    schedule: { type: 'choice', values: ['cosine', 'step', 'none'], help: 'learning-rate schedule (default cosine)' },
    warmup: { type: 'number', min: 0, help: 'linear warm-up epochs' },
    labelSmoothing: { type: 'number', min: 0, max: 0.999, help: 'label smoothing ε of the cross-entropy' },
    clipGradNorm: {
      type: 'number',
      min: 0,
      help: 'clip the global L2 norm of the gradients (e.g. 1; default no clipping)',
    },
    seed: { type: 'number', integer: true, min: 0, default: 0, help: 'seed of shuffling and augmentation' },
    augment: { type: 'boolean', default: false, help: 'random shifts by up to 2 pixels' },
    flip: { type: 'boolean', help: 'augmentation: mirror left-right with probability 1/2' },
    shift: { type: 'number', integer: true, min: 0, max: 64, help: 'augmentation: random shifts by up to N pixels' },
    randomResizedCrop: {
      type: 'number',
      min: 0.01,
      max: 1,
      help: 'augmentation: random resized crop keeping at least this fraction of the area (e.g. 0.5)',
    },
    mask: { type: 'boolean', default: true, help: 'keep exact zeros at zero (false lets pruned weights grow back)' },
    lop: {
      type: 'boolean',
      default: false,
      help: 'linear over-parameterization: expand, fine-tune, merge back (same architecture out)',
    },
    expand: { type: 'number', min: 1, default: LOP_DEFAULT_RATE, help: 'LOP expansion rate r' },
    spGamma: {
      type: 'number',
      min: 0,
      // Measured best of the settings tried on the trained baselines (docs/bench/lop-gamma-rule.md).
      default: DEFAULT_SP_GAMMA,
      help: 'SP-KD weight γ of L = CE + γ·Σ L_SP (needs a teacher)',
    },
    spShare: {
      type: 'number',
      min: 0.001,
      help: 'instead of a fixed γ: γ such that γ·L_SP starts at this share of the cross-entropy on the first 512 training samples',
    },
    spLayers: { type: 'list', help: 'SP-KD: node names whose outputs are distilled (default: stage ends)' },
  },
};
