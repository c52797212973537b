/** What the registry knows of `unify` (cheap to import). */
import type { PassSpec } from '../contract.js';
import { MEASURE_BATCH_OPTION } from '../options.js';

export interface UnifyPassOptions {
  /** Block shape `HxW` in the GEMM view. */
  block: string;
  /** Fraction of blocks unified (sign · shared magnitude). */
  unify: number;
  /** Fraction of blocks pruned (zero). */
  prune: number;
  scope: 'layer' | 'global';
  /**
   * 'gradual' (default: re-project onto a growing share of the target before each of the first `admmRounds`
   * epochs, then retrain like one-shot), 'oneshot' (project once, retrain with the structure fixed) or 'admm' (the
   * paper's training). At equal epochs one-shot matched or beat ADMM on every setting measured
   * (docs/bench/unify-schedule.md) and gradual beat one-shot (docs/bench/unify.md).
   */
  mode: 'admm' | 'oneshot' | 'gradual';
  admmRounds: number;
  epochsPerRound: number;
  retrainEpochs: number;
  rho: number;
  rhoGrowth: number;
  lr: number;
  batch: number;
  seed: number;
  /** Only these layers (node or weight names); default every Conv/Gemm/MatMul. */
  layers?: string[];
}

export const UNIFY_SPEC: PassSpec<UnifyPassOptions> = {
  name: 'unify',
  kind: 'train',
  summary: 'micro-structured weight unification and pruning: one-shot projection and retraining, or ADMM',
  data: 'training',
  options: {
    block: { type: 'string', default: '4x4', help: 'block shape HxW in the GEMM view' },
    unify: {
      type: 'number',
      min: 0,
      max: 1,
      default: 0.5,
      help: 'fraction of blocks unified (sign · shared magnitude)',
    },
    prune: { type: 'number', min: 0, max: 1, default: 0.3, help: 'fraction of blocks pruned (zero)' },
    scope: {
      type: 'choice',
      values: ['layer', 'global'],
      default: 'layer',
      help: 'fractions per layer or over all layers',
    },
    mode: {
      type: 'choice',
      values: ['oneshot', 'gradual', 'admm'],
      default: 'gradual',
      help: "'gradual' (re-project onto a growing share of the target each of the first --admm-rounds epochs, then retrain: ahead of one-shot on every setting measured), 'oneshot' (project once, retrain with the structure fixed) or 'admm' (the paper's; never ahead of one-shot at equal epochs)",
    },
    admmRounds: {
      type: 'number',
      integer: true,
      min: 1,
      default: 3,
      help: 'ADMM rounds, or the gradual ramp’s epochs',
    },
    epochsPerRound: { type: 'number', integer: true, min: 1, default: 1, help: 'W-step epochs per round' },
    retrainEpochs: {
      type: 'number',
      integer: true,
      min: 0,
      default: 1,
      help: 'epochs with the structure fixed after hard projection',
    },
    rho: { type: 'number', min: 0, default: 1e-2, help: 'initial ADMM penalty ρ' },
    rhoGrowth: { type: 'number', min: 1, default: 2, help: 'ρ multiplier per round' },
    lr: { type: 'number', min: 0, default: 0.01, help: 'SGD learning rate' },
    batch: { type: 'number', integer: true, min: 1, default: 128, help: 'batch size' },
    seed: { type: 'number', integer: true, min: 0, default: 0, help: 'seed of the data order' },
    layers: { type: 'list', help: 'only these layers (node or weight names)' },
  },
};

export interface UnifyLowerOptions {
  /** > 0: time each layer dense vs lowered in ORT at this batch and keep it dense unless lowering is faster. */
  measureBatch: number;
}

export const UNIFY_LOWER_SPEC: PassSpec<UnifyLowerOptions> = {
  name: 'unify-lower',
  kind: 'reparam',
  summary:
    'write unified fully connected layers as signed sums of each block’s inputs times one magnitude per block (exact)',
  options: {
    measureBatch: MEASURE_BATCH_OPTION,
  },
};
