/**
 * The training graph of a model for one batch size: forward (BatchNorm in training mode) + loss + gradients,
 * built by src/autodiff. Built once per (model, batch size) and compiled once.
 */
import { gradientGraph } from '../autodiff/index.js';
import type { Graph } from '../ir/graph.js';
import { inferShapes } from '../ir/shape/index.js';
import { ReproError } from '../util/errors.js';
import { addCrossEntropy } from './losses.js';

/** What a loss builder gets: the forward graph (static shapes, batch fixed) and the names it may use. */
export interface LossContext {
  g: Graph;
  /** The model's logits value [batch, classes]. */
  logits: string;
  /** Name of the float32 one-hot labels input [batch, classes] the trainer feeds (declare it by using it). */
  labels: string;
  batch: number;
  numClasses: number;
}

/** Appends loss nodes and returns the scalar loss value. */
export type LossFn = (ctx: LossContext) => string;

export const LABELS_INPUT = 'train.labels';

export function defaultLoss(smoothing = 0): LossFn {
  return (ctx) => addCrossEntropy(ctx.g, ctx.logits, ctx.labels, { smoothing });
}

export interface TrainGraph {
  graph: Graph;
  loss: string;
  logits: string;
  /** Model input (data) name. */
  input: string;
  grads: Record<string, string>;
  stateUpdates: Record<string, string>;
  stateInputs: string[];
  numClasses: number;
}

export interface TrainGraphOptions {
  batch: number;
  params: string[];
  loss?: LossFn;
  dropoutSeed?: number;
  frozenBatchNorm?: boolean;
}

export function buildTrainGraph(model: Graph, opts: TrainGraphOptions): TrainGraph {
  if (model.inputs.length !== 1) {
    throw new ReproError(`model '${model.name}' has ${model.inputs.length} inputs; training supports one data input`);
  }
  const input = model.inputs[0]!.name;
  const logits = model.outputs[0]?.name;
  if (!logits) throw new ReproError(`model '${model.name}' has no outputs; nothing to train`);
  const fwd = model.clone(true);
  fwd.outputs = [fwd.outputs[0]!];
  inferShapes(fwd, { batch: opts.batch });
  const ld = fwd.valueInfo.get(logits)?.shape ?? fwd.outputs[0]!.shape;
  if (ld?.length !== 2 || typeof ld[1] !== 'number') {
    throw new ReproError(`model output '${logits}' must be logits [batch, classes] to train with cross-entropy`);
  }
  const numClasses = ld[1];
  const lossFn = opts.loss ?? defaultLoss();
  const loss = lossFn({ g: fwd, logits, labels: LABELS_INPUT, batch: opts.batch, numClasses });
  inferShapes(fwd, { batch: opts.batch });
  const gg = gradientGraph(fwd, {
    loss,
    wrt: opts.params,
    keepOutputs: [logits],
    dropoutSeed: opts.dropoutSeed,
    frozenBatchNorm: opts.frozenBatchNorm,
  });
  return {
    graph: gg.graph,
    loss,
    logits,
    input,
    grads: gg.grads,
    stateUpdates: gg.stateUpdates,
    stateInputs: gg.stateInputs,
    numClasses,
  };
}
