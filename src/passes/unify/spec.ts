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
   * 'auto' (default: `resolveUnifyMode`), 'gradual' (re-project onto a growing share of the target before each of
   * the first `admmRounds` epochs, then retrain like one-shot), 'oneshot' (project once, retrain with the structure
   * fixed) or 'admm' (the paper's training). At equal epochs one-shot matched or beat ADMM on every setting measured
   * (docs/bench/unify-schedule.md); gradual beat one-shot wherever ≥ 70 % of blocks were pruned (docs/bench/unify.md).
   */
  mode: 'auto' | 'admm' | 'oneshot' | 'gradual';
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

/**
 * Pruned share from which 'auto' trains gradually: measured at lr 0.1, gradual beat one-shot by 0.04–0.25 points at
 * 70 % and 85 % pruned blocks on mlp and lenet5, and was within −0.07…+0.20 of it at 0–50 % (docs/bench/unify.md);
 * the threshold sits between the measured points.
 */
export const GRADUAL_FROM_PRUNE = 0.6;

/**
 * SGD learning rate of every unification mode. Measured (docs/bench/unify-lr.md) from the 10-epoch mlp and lenet5:
 * 0.1 beat 0.05 in 21 of 24 cells (losing ≤ 0.06 points in three) and the earlier default 0.01 in all, by up to
 * 1.37 points at 85 % pruned blocks. Larger rates were not tried.
 */
export const UNIFY_LR_DEFAULT = 0.1;

/** The training 'auto' stands for at this target; other modes stand for themselves. */
export function resolveUnifyMode(o: Pick<UnifyPassOptions, 'mode' | 'prune'>): 'admm' | 'oneshot' | 'gradual' {
  if (o.mode !== 'auto') return o.mode;
  return o.prune >= GRADUAL_FROM_PRUNE ? 'gradual' : 'oneshot';
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
      values: ['auto', 'oneshot', 'gradual', 'admm'],
      default: 'auto',
      help: "'auto' (gradual from 60 % pruned blocks, one-shot below: what measured best), 'gradual' (re-project onto a growing share of the target each of the first --admm-rounds epochs, then retrain), 'oneshot' (project once, retrain with the structure fixed) or 'admm' (the paper's; never ahead of one-shot at equal epochs)",
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
    lr: { type: 'number', min: 0, default: UNIFY_LR_DEFAULT, help: 'SGD learning rate' },
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
