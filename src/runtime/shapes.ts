/**
 * Shapes of values that reprune's own shape inference cannot reach: outputs of ops without a shape rule (an op
 * reprune does not know, a custom domain such as com.microsoft). ONNX Runtime knows them: one run on zeros of the
 * input shapes, with those values as extra graph outputs, tells their shapes; a second run with another batch size
 * tells which dim is the batch. The shapes are recorded in `g.valueInfo`, where inference (src/ir/shape) picks them
 * up for every later call, so everything downstream gets shapes too.
 */
import type { Dim, Graph, Node } from '../ir/graph.js';
import {
  bindInputDims,
  bindSampleShape,
  type InputBinding,
  inferShapesDetailed,
  opName,
  restoreInputDims,
  unboundInputSymbols,
} from '../ir/shape/index.js';
import { tensor, type Tensor } from '../ir/tensor.js';
import { ReproError } from '../util/errors.js';
import { withOutputs } from './capture.js';
import { compile } from './session.js';

/** What `completeShapes` learned, and what it could not. */
export interface ShapeCompletion {
  /** Nodes without a shape rule, as `name (op)`. */
  opaque: string[];
  /** Values whose shapes came from ONNX Runtime. */
  learned: string[];
  /** Why some values still have no shape (symbolic input dims, or ORT could not run the model). */
  unresolved?: string;
}

/**
 * Record in `g.valueInfo` the shapes of opaque nodes' outputs that inference leaves unknown (changes `g`'s value
 * info only). Needs static non-batch input dims; otherwise reports what `--input-shape` would fix.
 */
export async function completeShapes(g: Graph): Promise<ShapeCompletion> {
  const inferred = inferShapesDetailed(g.clone(true));
  const opaque = inferred.opaque.map((n) => `${n.name} (${opName(n)})`);
  const targets = missingOutputs(inferred.opaque, inferred.unknown);
  if (targets.length === 0) return { opaque, learned: [] };
  const symbols = unboundInputSymbols(g);
  if (symbols.length)
    return {
      opaque,
      learned: [],
      unresolved: `shapes after ${opaque.join(', ')} need static input dims (${symbols.join(', ')} are symbolic): give --input-shape`,
    };
  let runs: Array<{ batch: number; out: Record<string, Tensor> }>;
  try {
    runs = await runOnZeros(g, targets);
  } catch (e) {
    if (!(e instanceof ReproError)) throw e;
    return {
      opaque,
      learned: [],
      unresolved: `ONNX Runtime could not run the model to learn their shapes: ${e.message}`,
    };
  }
  for (const name of targets) {
    const [a, b] = runs.map((r) => r.out[name]!);
    g.valueInfo.set(name, { name, dtype: a!.dtype, shape: shapeFrom(g, name, runs, a!, b) });
  }
  return { opaque, learned: targets };
}

/** Outputs of opaque nodes that have no shape yet. */
function missingOutputs(opaque: Node[], unknown: Set<string>): string[] {
  return opaque.flatMap((n) => n.outputs.filter((o) => o && unknown.has(o)));
}

/** Batch size of the graph's first input when it is fixed, else undefined. */
function fixedBatch(g: Graph): number | undefined {
  const d = g.inputs[0]?.shape?.[0];
  return typeof d === 'number' ? d : undefined;
}

/** One run (fixed batch) or two (batch 1 and 2) on all-zero inputs, fetching `targets`. */
async function runOnZeros(g: Graph, targets: string[]) {
  const runner = await compile(withOutputs(g, targets));
  const batches = fixedBatch(g) !== undefined ? [fixedBatch(g)!] : [1, 2];
  const runs: Array<{ batch: number; out: Record<string, Tensor> }> = [];
  for (const batch of batches) {
    const feeds: Record<string, Tensor> = {};
    for (const v of g.inputs) {
      const dims = (v.shape ?? []).map((d, i) => (typeof d === 'number' ? d : i === 0 ? batch : 1));
      feeds[v.name] = tensor(v.dtype, dims);
    }
    runs.push({ batch, out: await runner.run(feeds, targets) });
  }
  return runs;
}

/** A dim that is 1 at batch 1 and 2 at batch 2 on axis 0 is the batch symbol; other varying dims get a new symbol. */
function shapeFrom(g: Graph, name: string, runs: Array<{ batch: number }>, a: Tensor, b: Tensor | undefined): Dim[] {
  const batchSym = g.inputs[0]?.shape?.[0];
  return a.dims.map((d, i) => {
    if (!b || b.dims[i] === d) return d;
    if (i === 0 && d === runs[0]!.batch && b.dims[i] === runs[1]!.batch && typeof batchSym === 'string')
      return batchSym;
    return `${name}_dim${i}`;
  });
}

export interface PrepareOptions {
  /** `--input-shape`: a full input shape (batch included) binding the input's symbolic dims. */
  inputShape?: readonly number[];
  /** One sample's shape from the data a command streams (`[C, H, W]`), used when no input shape is given. */
  sampleShape?: readonly number[];
  /** Prefix of error messages (the file). */
  where?: string;
}

/** A model made ready for a command: symbolic dims bound, opaque shapes learned. */
export interface PreparedModel {
  graph: Graph;
  /** The dims bound (and how to undo it on an output, so a saved model stays dynamic). */
  binding?: InputBinding;
  shapes: ShapeCompletion;
  /** `out` with the input's symbolic dims put back (unchanged when nothing was bound). */
  restore(out: Graph): Graph;
}

/**
 * Bind symbolic input dims (from `inputShape`, else the data's sample shape) and learn the shapes of opaque ops from
 * ONNX Runtime. Changes `g` in place (its inputs and value info) and returns it with what was done.
 */
export async function prepareModel(g: Graph, o: PrepareOptions = {}): Promise<PreparedModel> {
  const where = o.where ?? `graph '${g.name}'`;
  const binding = o.inputShape
    ? bindInputDims(g, o.inputShape, `${where}: --input-shape`)
    : o.sampleShape
      ? bindSampleShape(g, o.sampleShape, `${where}: data samples`)
      : undefined;
  const shapes = await completeShapes(g);
  return {
    graph: g,
    ...(binding ? { binding } : {}),
    shapes,
    restore: (out) => (binding ? restoreInputDims(out, binding) : out),
  };
}
