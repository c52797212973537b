/**
 * Losses that append ONNX nodes to a forward graph (with static shapes) and return scalar value names.
 * Combine them with `weightedSum`; the trainer's `loss` callback returns the final scalar.
 */
export { addCrossEntropy, addMse, type CrossEntropyOptions } from './loss/cross-entropy.js';
export { addKdLoss, addSpKdLoss, type SpKdLayer } from './loss/distill.js';
export {
  addL2Penalty,
  addPenalty,
  addProximalPenalty,
  weightedSum,
  type LossTerm,
  type ProximalTerm,
} from './loss/penalty.js';
export { staticDims, ensureInput } from './loss/ops.js';
