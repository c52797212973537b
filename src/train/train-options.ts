/**
 * What a training run takes and returns: the options of `trainModel`, its hooks and its result (types only; the
 * loop is in trainer.ts, its setup in train-setup.ts).
 */
import type { Augment, Batch } from '../data/loader.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { EpochStats } from './checkpoint.js';
import type { Optimizer, OptimizerOptions, Param, Schedule, ScheduleKind } from './optim/index.js';
import type { ProgressInfo } from './progress.js';
import type { LossFn } from './train-graph.js';

export interface StepContext {
  epoch: number;
  /** Global step (0-based, counted across epochs). */
  step: number;
  batch: Batch;
  model: Graph;
  params: readonly Param[];
}

export interface TrainHooks {
  beforeStep?(ctx: StepContext): void | Promise<void>;
  /** After the gradients are in `params[i].grad`, before the optimizer: may rewrite gradients in place (e.g. tie a block's entries). */
  beforeUpdate?(ctx: StepContext & { loss: number }): void | Promise<void>;
  afterStep?(ctx: StepContext & { loss: number; lr: number }): void | Promise<void>;
  afterEpoch?(ctx: { epoch: number; stats: EpochStats; model: Graph; params: readonly Param[] }): void | Promise<void>;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  /** 'sgd' | 'adam' | 'adamw', full optimizer options, or a ready optimizer instance. Default SGD momentum 0.9. */
  optimizer?: OptimizerOptions['kind'] | OptimizerOptions | Optimizer;
  schedule?: ScheduleKind | Schedule;
  warmupEpochs?: number;
  seed?: number;
  evalDs?: Dataset;
  evalBatchSize?: number;
  /** Parameter name → mask (0 = pruned, held at exactly 0). */
  masks?: Record<string, Uint8Array | Float32Array>;
  /** Parameters to train (default: every weight/bias of Conv, Gemm, MatMul, BatchNorm, ...). */
  params?: string[];
  frozen?: string[];
  /** Builds the loss on the forward graph (default: softmax cross-entropy, with `labelSmoothing`). */
  loss?: LossFn;
  /** Label smoothing ε of the default cross-entropy (ignored with a custom `loss`). */
  labelSmoothing?: number;
  /** Clip the global L2 norm of the gradients to this (after `beforeUpdate`, before the optimizer). */
  clipGradNorm?: number;
  hooks?: TrainHooks;
  /** Values for extra graph inputs (teacher logits, ADMM Z/U, ...): fixed, or computed per step. */
  extraFeeds?:
    | Record<string, Tensor>
    | ((ctx: StepContext) => Record<string, Tensor> | Promise<Record<string, Tensor>>);
  augment?: Augment;
  checkpoint?: { path: string; every?: number };
  /** Continue from this checkpoint (true: from `checkpoint.path`). */
  resume?: string | boolean;
  onProgress?: (p: ProgressInfo) => void;
  /** Show progress on stderr (default false). */
  progress?: boolean;
  frozenBatchNorm?: boolean;
}

export interface TrainResult {
  /** The trained model (a copy of the input graph; the input is not modified). */
  graph: Graph;
  history: EpochStats[];
  params: string[];
}
