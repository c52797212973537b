/**
 * Reverse-mode autodiff over the IR that emits the backward pass as ONNX nodes (run by ORT with the forward pass
 * as one graph). Usage:
 *
 *   inferShapes(g, { batch: 64 });                       // static shapes are required
 *   const tg = gradientGraph(g, { loss: 'loss', wrt: params });
 *   // feed: data inputs + every `wrt` param + every `tg.stateInputs` entry (BatchNorm running stats)
 *   // read: tg.loss, tg.grads[param], tg.stateUpdates[init] (new running stats), kept forward outputs
 *
 * One rule per op in rules/<Op>.ts, registered in registry.ts. Training-mode semantics (BatchNorm batch
 * statistics, Dropout masks, MaxPool indices) are introduced by each rule's `lowerTraining` hook.
 */
export { gradientGraph, type GradientGraph, type GradientOptions } from './gradient-graph.js';
export { GRAD_RULES, NON_DIFFERENTIABLE } from './registry.js';
export { convSettings } from './rules/Conv.js';
export type { FilterGradMethod } from './conv-filter-grad.js';
export type { Emitter, GradArgs, GradRule, TrainOptions } from './types.js';
