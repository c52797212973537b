export { lopExpand, LOP_SUFFIX, type ExpandOptions, type ExpandReport } from './expand.js';
export { lopMerge, type MergeOptions } from './merge.js';
export {
  lopFinetune,
  defaultSpLayers,
  finetuneMode,
  FINETUNE_MODES,
  type FinetuneMode,
  type LopFinetuneOptions,
  type LopFinetuneResult,
} from './finetune.js';
export { architectureDifference, assertSameArchitecture } from './architecture.js';
