/** What the registry knows of `channels` (cheap to import). */
import type { PassSpec } from '../contract.js';
import { PRO_EVAL_MACS, PRO_SAMPLES_MAX, PRO_SAMPLES_MIN } from '../options.js';

export const CHANNEL_CRITERIA = ['l1', 'l2', 'random', 'reap', 'nu'] as const;
export type ChannelCriterionName = (typeof CHANNEL_CRITERIA)[number];

export interface ChannelsOptions {
  /** Which channels go: filter norm (l1, l2), random, or behaviour-based with reconstruction (reap, nu). */
  criterion: ChannelCriterionName;
  /** Fraction of channels removed in every prunable group (uniform). */
  ratio?: number;
  /** PRO: keep at most this fraction of the MACs; it chooses per-group ratios. */
  budgetMacs?: number;
  /** PRO: keep at most this fraction of the parameters. */
  budgetParams?: number;
  /** PRO: step per proposal, as a fraction of a group's channels. */
  proStep?: number;
  /** PRO: the cost the budget fraction is measured against (default: this model's; SRN pipelines pass the original's). */
  referenceCost?: number;
  /** Keep channel counts multiples of this. */
  roundTo?: number;
  /** Producer node names (or group keys) left unpruned. */
  skip: string[];
  /** Also cut LayerNorm-normalized groups (a transformer's hidden size); approximate, so off by default. */
  pruneHidden?: boolean;
  seed: number;
  /** Calibration samples streamed for REAP/NU behaviours. */
  calib: number;
  /** PRO: samples each evaluation's logit error is measured on. */
  proSamples?: number;
}

export const CHANNELS_SPEC: PassSpec<ChannelsOptions> = {
  name: 'channels',
  kind: 'prune',
  summary: 'structured channel pruning that physically shrinks the model (L1/L2/random/REAP/NU, uniform or PRO ratios)',
  data: 'calibration',
  // REAP/NU stream the first `calib` samples; PRO's logit error reads the first `proSamples` (up to 512) of them.
  // Behaviour criteria calibrate on `calib` samples; PRO scores on its own `proSamples` (L1 with PRO reads only those:
  // a 2,000-image folder was decoded whole for 32 scoring samples, 1.2 GB at 224 px).
  samplesUsed: (o) => {
    const pro = o.budgetMacs !== undefined || o.budgetParams !== undefined ? (o.proSamples ?? PRO_SAMPLES_MAX) : 0;
    return o.criterion === 'reap' || o.criterion === 'nu' ? Math.max(o.calib, pro) : pro;
  },
  options: {
    criterion: {
      type: 'choice',
      values: CHANNEL_CRITERIA,
      default: 'l1',
      flag: '--method',
      help: 'which channels go: l1, l2, random, reap or nu',
    },
    ratio: { type: 'number', min: 0, max: 0.99, help: 'fraction of channels removed in every prunable group' },
    budgetMacs: {
      type: 'number',
      min: 1e-6,
      max: 1,
      help: 'PRO: keep at most this fraction of the original MACs, e.g. 0.5',
    },
    budgetParams: {
      type: 'number',
      min: 1e-6,
      max: 1,
      help: 'PRO: keep at most this fraction of the original parameters',
    },
    proStep: {
      type: 'number',
      min: 1e-3,
      max: 0.5,
      help: 'PRO: step per proposal, fraction of a group (default 0.05)',
    },
    proSamples: {
      type: 'number',
      integer: true,
      min: 1,
      help: `PRO: samples its logit error is measured on (default ${PRO_SAMPLES_MAX}, fewer on large models: at most ${(PRO_EVAL_MACS / 1e9).toFixed(1)} G MACs per evaluation, never under ${PRO_SAMPLES_MIN}); each of its hundreds of evaluations runs them all`,
    },
    referenceCost: {
      type: 'number',
      min: 0,
      hidden: true,
      help: 'PRO: cost the budget is a fraction of (default: this model)',
    },
    roundTo: {
      type: 'number',
      integer: true,
      min: 0,
      max: 1 << 20,
      // By width, measured: ResNet-18/50 and MobileNetV2 at −50 % MACs ran 1.2–2× faster than unrounded counts
      // (docs/bench/speed-round.md, speed-r50-vit.md); 1 turns rounding off.
      default: 0,
      help: 'keep channel counts multiples of k; 0 (default): by width — conv channels 16 from 64, 8 from 32, else 1; 1: off',
    },
    skip: { type: 'list', default: [], help: 'comma-separated producer node names to leave unpruned' },
    pruneHidden: {
      type: 'boolean',
      default: false,
      help: "also cut channels a LayerNorm normalizes (a transformer's hidden size): changes every position's statistics, so fine-tune after",
    },
    seed: {
      type: 'number',
      integer: true,
      min: 0,
      max: 2 ** 32,
      default: 0,
      help: 'seed of random choices and calibration positions',
    },
    calib: { type: 'number', integer: true, min: 1, max: 1e7, default: 2000, help: 'reap/nu/PRO: calibration samples' },
  },
};
