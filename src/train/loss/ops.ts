/**
 * Small graph-building helpers shared by the losses. Losses only use ops with gradient rules in src/autodiff
 * (Mul, Add, Sub, Div, Sqrt, ReduceSum, ReduceMean, LogSoftmax, Softmax, Gemm, Flatten); label / teacher paths
 * never reach a parameter, so they carry no gradient.
 */
import { A } from '../../ir/attrs.js';
import type { Dim, Graph } from '../../ir/graph.js';
import { f32, i64vec } from '../../ir/tensor.js';
import { ReproError } from '../../util/errors.js';

/** A float32 scalar constant. */
export function scalar(g: Graph, v: number, base = 'loss.const'): string {
  return g.addInitializer(base, f32([], [v]));
}

export function op(g: Graph, type: string, inputs: string[], attrs = {}, base = 'loss'): string {
  return g.add(type, inputs, attrs, { name: `${base}.${type.toLowerCase()}` })[0]!;
}

export function mulScalar(g: Graph, x: string, c: number, base = 'loss'): string {
  return c === 1 ? x : op(g, 'Mul', [x, scalar(g, c, `${base}.scale`)], {}, base);
}

/** ReduceSum / ReduceMean over `axes` (all axes if omitted); opset-aware axes (input vs attribute). */
export function reduce(
  g: Graph,
  type: 'ReduceSum' | 'ReduceMean',
  x: string,
  axes?: number[],
  keepdims = false,
  base = 'loss',
): string {
  const attrs = { keepdims: A.int(keepdims ? 1 : 0) };
  const axesAsInput = type === 'ReduceSum' ? g.opset >= 13 : g.opset >= 18;
  if (!axes) return op(g, type, [x], attrs, base);
  if (axesAsInput) return op(g, type, [x, g.addInitializer(`${base}.axes`, i64vec(axes))], attrs, base);
  return op(g, type, [x], { ...attrs, axes: A.ints(axes) }, base);
}

/** Σ x² over all elements (a scalar). */
export function sumSquares(g: Graph, x: string, base = 'loss'): string {
  return reduce(g, 'ReduceSum', op(g, 'Mul', [x, x], {}, base), undefined, false, base);
}

/** Static dims of a value from graph inputs/outputs/value info (run inferShapes with a fixed batch first). */
export function staticDims(g: Graph, name: string): number[] {
  const init = g.initializers.get(name);
  if (init) return [...init.dims];
  const vi = g.inputs.find((v) => v.name === name) ?? g.outputs.find((v) => v.name === name) ?? g.valueInfo.get(name);
  const shape: Dim[] | undefined = vi?.shape;
  if (!shape || shape.some((d) => typeof d !== 'number')) {
    throw new ReproError(
      `loss: the shape of '${name}' is unknown or not static; run inferShapes(g, { batch }) before adding losses`,
    );
  }
  return shape as number[];
}

/** Declare a float32 graph input unless it already exists; returns its name. */
export function ensureInput(g: Graph, name: string, dims: number[], dtype: 'float32' | 'int64' = 'float32'): string {
  const have = g.inputs.find((v) => v.name === name);
  if (have) {
    if (have.dtype !== dtype)
      throw new ReproError(`loss input '${name}' exists with dtype ${have.dtype}, expected ${dtype}`);
    return name;
  }
  if (g.valueNames().has(name))
    throw new ReproError(`loss input '${name}' clashes with an existing value of the model; choose another name`);
  g.inputs.push({ name, dtype, shape: [...dims] });
  return name;
}

/** Record a value's shape so later shape queries (and the autodiff) know it without re-running inference. */
export function setShape(g: Graph, name: string, dims: number[], dtype: 'float32' | 'int64' = 'float32'): string {
  g.valueInfo.set(name, { name, dtype, shape: [...dims] });
  return name;
}
