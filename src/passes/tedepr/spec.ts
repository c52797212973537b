/** What the registry knows of `tedepr` (cheap to import). */
import type { PassSpec } from '../contract.js';

export const PAI_SCORES = ['random', 'magnitude', 'snip', 'grasp', 'synflow', 'trainability'] as const;

export interface TedeprPassOptions {
  /** Fraction of the dense model's prunable weights that are zero, e.g. 0.99. */
  sparsity: number;
  score: (typeof PAI_SCORES)[number];
  /** Tensor-train bond rank, or 'auto'. */
  ttRank: string;
  /** No TT layers: the dense pruning-at-init baseline. */
  dense: boolean;
  /** Tensor ring with this cyclic rank instead of a train. */
  trRank?: number;
  /** Cores per layer, 2..6, or 'auto'. */
  ttCores: string;
  ttForm: 'chain' | 'reconstruct' | 'auto';
  ttFormBatch: number;
  epochs: number;
  batch: number;
  lr: number;
  optimizer: 'adam' | 'adamw' | 'sgd';
  seed: number;
  scope: 'global' | 'layer';
  /** Rounds of the iterative scores (synflow 100, trainability 20). */
  rounds?: number;
  /** Re-initialise the weights first (TEDEPR trains from scratch); false keeps the model's own init. */
  reinit: boolean;
  /** The random-shuffle control: the score's per-layer densities with each layer's mask shuffled at random. */
  shuffle: boolean;
}

export const TEDEPR_SPEC: PassSpec<TedeprPassOptions> = {
  name: 'tedepr',
  kind: 'train',
  summary: 'tensor-train layers + pruning at initialization at extreme sparsity, trained from scratch (TEDEPR)',
  data: 'training',
  options: {
    sparsity: {
      type: 'number',
      min: 0,
      max: 0.999999,
      default: 0.99,
      help: 'fraction of the dense model weights that are zero, e.g. 0.99',
    },
    // SynFlow, not our trainability score: on the TT cores it scored 0.2–2.6 points higher at 98–99.5 % on mlp
    // and lenet5 over 2–3 seeds (docs/bench/tedepr-seeds.md).
    score: { type: 'choice', values: PAI_SCORES, default: 'synflow', help: 'pruning-at-init score' },
    ttRank: {
      type: 'string',
      default: '8',
      help: "tensor-train bond rank, or 'auto': the smallest rank whose cores hold 2× the kept weights",
    },
    dense: { type: 'boolean', default: false, help: 'no TT layers: the dense pruning-at-init baseline' },
    trRank: { type: 'number', integer: true, min: 2, help: 'tensor ring with cyclic rank R instead of a tensor train' },
    ttCores: { type: 'string', default: 'auto', help: "cores per layer: 2..6 or 'auto'" },
    ttForm: {
      type: 'choice',
      values: ['chain', 'reconstruct', 'auto'],
      default: 'chain',
      help: "fully connected TT layers: 'chain', 'reconstruct' (rebuild W each step) or 'auto' (per layer, the one ONNX Runtime runs faster at --tt-form-batch; the plan records it)",
    },
    ttFormBatch: {
      type: 'number',
      integer: true,
      min: 1,
      default: 1,
      help: 'with --tt-form auto: the batch both forms of each layer are timed at',
    },
    epochs: { type: 'number', integer: true, min: 1, default: 3, help: 'training epochs' },
    batch: { type: 'number', integer: true, min: 1, default: 128, help: 'batch size' },
    lr: { type: 'number', min: 0, default: 2e-3, help: 'learning rate (cosine decay)' },
    optimizer: { type: 'choice', values: ['adam', 'adamw', 'sgd'], default: 'adam', help: 'adam, adamw or sgd' },
    seed: {
      type: 'number',
      integer: true,
      min: 0,
      default: 0,
      help: 'seed of the init, the scores and the data order',
    },
    scope: {
      type: 'choice',
      values: ['global', 'layer'],
      default: 'global',
      help: 'top-k over all tensors (global) or per tensor (layer)',
    },
    rounds: {
      type: 'number',
      integer: true,
      min: 1,
      help: 'rounds of the iterative scores (synflow 100, trainability 20)',
    },
    reinit: { type: 'boolean', default: true, hidden: true, help: 're-initialise the weights first' },
    shuffle: {
      type: 'boolean',
      default: false,
      help: "control: keep the score's per-layer densities, shuffle each layer's mask at random",
    },
  },
};
