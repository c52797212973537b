export { compile, clearSessionCache, setRuntimeDefaults, runtimeDefaults, Runner, toOrt, fromOrt } from './session.js';
export type { ExecutionProvider, RuntimeOptions } from './session.js';
export { evaluate, crossEntropyAndHits } from './evaluate.js';
export type { EvalResult } from './evaluate.js';
export { withOutputs, forEachBatch, inputLayout } from './capture.js';
export type { BatchCallback, BatchInfo, InputLayout, StreamOptions, StreamStats } from './capture.js';
export { completeShapes, prepareModel } from './shapes.js';
export type { PreparedModel, PrepareOptions, ShapeCompletion } from './shapes.js';
export { ortMatmul, ortWorthIt, ORT_MATMUL_MIN_MACS } from './matmul.js';
