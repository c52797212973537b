/**
 * Shape inference for reprune's IR: every supported op, fixed or symbolic batch.
 * `inferShapes(g, { batch })` fills `g.valueInfo` with dtype + shape for every node output (graph outputs included)
 * and updates `g.outputs`; `shapeOf(g, name)` reads a shape back.
 */
import type { Dim, Graph } from '../graph.js';
import { inferShapesDetailed, type InferOptions } from './infer.js';

export {
  checkSupported,
  hasShapeRule,
  inferShapesDetailed,
  opName,
  unsupportedError,
  type InferOptions,
  type InferResult,
} from './infer.js';
export { SUPPORTED_OPS, SHAPE_RULES } from './registry.js';
export {
  bindInputDims,
  bindSampleShape,
  parseShapeList,
  restoreInputDims,
  unboundInputSymbols,
  type InputBinding,
} from './bind.js';
export type { ShapeRule, ShapeCtx, OutInfo } from './context.js';
export { broadcastShapes } from './rules/elementwise.js';
export { mulDims, divDims, prodDims, dimsEqual, shapesEqual, isStatic, formatShape } from './dims.js';

export function inferShapes(g: Graph, opts: InferOptions = {}): void {
  inferShapesDetailed(g, opts);
}

/** Shape of any value (input, initializer, node output); throws if shape inference has not covered it. */
export function shapeOf(g: Graph, name: string): Dim[] {
  const t = g.initializers.get(name);
  if (t) return [...t.dims];
  const v = g.valueInfo.get(name) ?? g.inputs.find((x) => x.name === name) ?? g.outputs.find((x) => x.name === name);
  if (!v?.shape) throw new Error(`shape of '${name}' is unknown; run inferShapes(g) first`);
  return [...v.shape];
}

/** dtype of any value; throws if unknown. */
export function dtypeOf(g: Graph, name: string) {
  const t = g.initializers.get(name);
  if (t) return t.dtype;
  const v = g.valueInfo.get(name) ?? g.inputs.find((x) => x.name === name) ?? g.outputs.find((x) => x.name === name);
  if (!v) throw new Error(`dtype of '${name}' is unknown; run inferShapes(g) first`);
  return v.dtype;
}
