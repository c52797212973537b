/** What the registry knows of `tile` and `tile-lower` (cheap to import). */
import type { PassSpec } from '../contract.js';
import { MEASURE_BATCH_OPTION } from '../options.js';

export interface TileOptions {
  /** Fraction of prunable weights to zero, in [0, 1); N:M patterns have their own (1 − N/M). */
  sparsity?: number;
  /** Tile shape `HxW` in the GEMM view (rows = outputs, cols = inputs). */
  tile: string;
  /** 'tile' (use `tile`), 'element', or N:M such as '2:4'. */
  pattern?: string;
  importance: 'l1' | 'l2' | 'taylor';
  scope: 'global' | 'layer';
  /** Node names left dense; 'first' / 'last' name the first / last prunable layer. */
  skip: string[];
  /** Taylor importance: training samples the gradient is averaged over. */
  calib: number;
  /** Taylor importance: seed of the sample shuffle. */
  seed: number;
}

export const TILE_SPEC: PassSpec<TileOptions> = {
  name: 'tile',
  kind: 'prune',
  summary: 'zero the least important tiles (or elements, or N:M groups) of every Conv/Gemm/MatMul weight',
  data: 'calibration',
  // Taylor gradients come from a seeded shuffle of the whole training set.
  samplesUsed: (o) => (o.importance === 'taylor' ? undefined : 0),
  options: {
    sparsity: {
      type: 'number',
      min: 0,
      max: 0.999,
      help: 'fraction of prunable weights to zero (tile and element patterns)',
    },
    tile: {
      type: 'string',
      default: '128x1',
      help: 'tile shape HxW in the GEMM view (rows = outputs x cols = inputs)',
    },
    pattern: { type: 'string', help: "'tile' (default: use --tile), 'element', or N:M such as 2:4" },
    importance: {
      type: 'choice',
      values: ['l1', 'l2', 'taylor'],
      default: 'l1',
      help: 'weight importance: |w|, w², or Taylor (w·grad)² on --data',
    },
    scope: {
      type: 'choice',
      values: ['global', 'layer'],
      default: 'global',
      help: 'one threshold over all layers, or one per layer',
    },
    skip: { type: 'list', default: [], help: "comma-separated node names left dense ('first', 'last' allowed)" },
    calib: {
      type: 'number',
      integer: true,
      min: 1,
      default: 512,
      help: 'taylor: training samples the gradient is averaged over',
    },
    seed: { type: 'number', integer: true, min: 0, default: 0, help: 'seed of sample shuffles and random choices' },
  },
};

export interface TileLowerOptions {
  /** Row groups smaller than this are merged with their neighbours. */
  minRows: number;
  /** Lower a layer only if it keeps at most this fraction of the dense multiply-adds. */
  maxDensity: number;
  /** Run row groups of equal height as one batched MatMul / grouped Conv. */
  batch: boolean;
  /** > 0: time each layer dense vs lowered in ORT at this batch and keep it dense unless lowering is faster. */
  measureBatch: number;
}

export const TILE_LOWER_SPEC: PassSpec<TileLowerOptions> = {
  name: 'tile-lower',
  kind: 'reparam',
  summary:
    'rewrite tile-sparse Gemm/MatMul/Conv layers into smaller dense ops over the surviving weights (faster in ORT)',
  options: {
    minRows: { type: 'number', integer: true, min: 1, default: 64, help: 'smallest row group kept on its own' },
    maxDensity: {
      type: 'number',
      min: 0,
      max: 1,
      default: 0.85,
      help: 'lower a layer only at or below this fraction of its dense work',
    },
    batch: { type: 'boolean', default: true, help: 'batch equal-height row groups into one kernel' },
    measureBatch: MEASURE_BATCH_OPTION,
  },
};
