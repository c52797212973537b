/** Behaviour-based channel pruning (Kamma & Wada): REAP, NU and the norm baselines on one layer. */
export * from './types.js';
export { reapFast } from './fast.js';
export { reapNaive, type NaiveMode } from './naive.js';
export { nuSelect } from './nu.js';
export { selectByScore, randomSelect, rowNorms, type NormCriterion } from './baselines.js';
export { reconstructionError } from './error.js';
