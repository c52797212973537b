/** What the registry knows of `lop-expand`, `lop-merge` and `finetune` (cheap to import). */
import type { PassSpec } from '../contract.js';

/**
 * Default expansion rate: 1 (each layer becomes orthogonal 1×1 → the layer → orthogonal 1×1, no wider). With
 * semi-orthogonal factors the first step moves the merged weight by −η(∇W + WWᵀ∇W + ∇W·WᵀW) whatever the rate
 * (factors.ts; width drops out, as in Arora et al. 2018 on linear depth), and so it measured: LOP + SP-KD at
 * r = 1, 2 and 4 gave the same accuracy within 0.15 points on lenet5, vgg-small and resnet-small at 70 % and 90 %
 * (docs/bench/lop-rate.md), while r = 4 took 2.1–2.4× the time and 16× the memory inside every layer. The rate
 * stays a flag (--expand) for anyone who wants the wide form.
 */
export const LOP_DEFAULT_RATE = 1;

/**
 * SP-KD's γ by default. On the 10-epoch baselines, 3 seeds, γ = 300 beat vanilla fine-tuning (mean − std above its
 * mean) at 70 % and 90 % on lenet5, vgg-small and resnet-small; the loss-share rule (`spShare`, sp-gamma.ts) at
 * s = 1 lost to vanilla on resnet-small, whose one distilled layer gives a small SP-KD loss and so a large γ
 * (docs/bench/lop-gamma-rule.md). The paper's 3000 lost at 70 % on all three.
 */
export const DEFAULT_SP_GAMMA = 300;

export interface LopExpandOptions {
  /** Expansion rate r: each layer becomes r× wider inside. */
  rate: number;
  /** Seed of the random semi-orthogonal expansion factors. */
  seed: number;
}

export const LOP_EXPAND_SPEC: PassSpec<LopExpandOptions> = {
  name: 'lop-expand',
  kind: 'reparam',
  summary:
    'linear over-parameterization: each compact layer becomes three linear layers r× wider inside, same function',
  options: {
    rate: {
      type: 'number',
      min: 1,
      default: LOP_DEFAULT_RATE,
      flag: '--expand',
      help: 'expansion rate r (each layer becomes r× wider inside)',
    },
    seed: { type: 'number', integer: true, min: 0, default: 0, help: 'seed of the random expansion factors' },
  },
};

export interface LopMergeOptions {
  /** Merge every mergeable chain of linear layers, not only LOP-expanded ones. */
  allLinear: boolean;
}

export const LOP_MERGE_SPEC: PassSpec<LopMergeOptions> = {
  name: 'lop-merge',
  kind: 'reparam',
  summary: 'merge chains of linear layers back into one (the inverse of lop-expand), exactly',
  options: {
    allLinear: {
      type: 'boolean',
      default: false,
      help: 'merge every mergeable chain of linear layers, not only LOP-expanded ones',
    },
  },
};
