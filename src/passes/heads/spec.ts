/** What the registry knows of `heads` (cheap to import). */
import type { PassSpec } from '../contract.js';

export interface HeadsOptions {
  criterion: 'l1' | 'reap';
  ratio: number;
  calib: number;
  positions: number;
  seed: number;
}

export const HEADS_SPEC: PassSpec<HeadsOptions> = {
  name: 'heads',
  kind: 'prune',
  summary: 'remove whole attention heads (q/k/v columns, projection rows, head-count Reshape constants); REAP folds',
  data: 'calibration',
  samplesUsed: (o) => (o.criterion === 'reap' ? o.calib : 0),
  options: {
    criterion: {
      type: 'choice',
      values: ['l1', 'reap'],
      default: 'reap',
      help: "l1 (Σ|w| of a head's q/k/v columns and projection rows) or reap (least squares on --data)",
    },
    ratio: { type: 'number', min: 0, max: 0.999, default: 0.25, help: 'fraction of heads removed in every block' },
    calib: { type: 'number', integer: true, min: 1, max: 1e7, default: 1000, help: 'reap: calibration samples' },
    positions: { type: 'number', integer: true, min: 1, default: 16, help: 'reap: token positions sampled per image' },
    seed: { type: 'number', integer: true, min: 0, default: 0, help: 'seed of the sampled token positions' },
  },
};
