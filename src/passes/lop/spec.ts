/** What the registry knows of `lop-expand`, `lop-merge` and `finetune` (cheap to import). */
import type { PassSpec } from '../contract.js';

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
      default: 4,
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
