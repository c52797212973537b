export { lopExpand, LOP_SUFFIX, type ExpandOptions, type ExpandReport } from './expand.js';
export { lopMerge, type MergeOptions } from './merge.js';
