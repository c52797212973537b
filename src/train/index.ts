export {
  trainModel,
  type TrainOptions,
  type TrainResult,
  type TrainHooks,
  type StepContext,
  type EpochStats,
} from './trainer.js';
export {
  buildTrainGraph,
  defaultLoss,
  LABELS_INPUT,
  type LossContext,
  type LossFn,
  type TrainGraph,
} from './train-graph.js';
export { trainableParams, selectParams, masksFromZeros, applyMasks } from './params.js';
export { loadCheckpoint, saveCheckpoint, sidecarPath } from './checkpoint.js';
export * from './losses.js';
export * from './optim/index.js';
