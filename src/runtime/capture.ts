/**
 * Activation capture: run a model over a dataset and hand each batch's chosen values (graph outputs
 * or any intermediate value) to a callback, one batch at a time, so callers can accumulate
 * statistics (Gram matrices, means) without holding all activations in memory.
 * Also the single place that maps dataset samples onto the model's input (rank 2 vs NCHW, fixed batch).
 */
import type { Dataset } from '../data/dataset.js';
import { sampleSizeOf, take } from '../data/dataset.js';
import type { Dim, Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { ReproError } from '../util/errors.js';
import { boundedBatch, sampleBytes } from './batch-memory.js';
import { compile, compileOnce, type Runner, type RuntimeOptions } from './session.js';

export interface BatchInfo {
  /** Index of the batch's first sample in the dataset. */
  offset: number;
  /** Labels of the batch's samples (length n). */
  labels: Int32Array;
}

export type BatchCallback = (outputs: Record<string, Tensor>, n: number, info: BatchInfo) => void | Promise<void>;

export interface StreamOptions {
  /** Samples per run; ignored when the model input has a fixed batch size. Default: the largest batch up to
   * `maxBatch` whose fetched values and activations fit `memoryBytes` (see batch-memory.ts). */
  batchSize?: number;
  /** Cap of the memory-bounded default batch (default 256). */
  maxBatch?: number;
  /** Byte budget of the default batch (default BATCH_MEMORY_BYTES, 1 GiB). */
  memoryBytes?: number;
  /** The graph runs this once: its session is not cached and is released at the end (see compileOnce). */
  once?: boolean;
  /** Use only the first `limit` samples. */
  limit?: number;
  runtime?: RuntimeOptions;
}

export interface StreamStats {
  samples: number;
  batches: number;
  /** Samples per run actually used. */
  batchSize: number;
  /** Mean wall-clock time of one ORT run (data copying excluded; the first run, which pays ORT's warm-up, is left out when there are several). */
  msPerBatch: number;
}

/** A clone of `g` (weights shared) whose graph outputs also include `names`. */
export function withOutputs(g: Graph, names: string[]): Graph {
  const c = g.clone(true);
  const known = c.valueNames();
  for (const name of names) {
    if (!known.has(name))
      throw new ReproError(`cannot capture '${name}': no node, input or initializer of graph '${g.name}' defines it`);
    if (c.isGraphOutput(name)) continue;
    // No shape: a recorded one may carry a batch size other than the one we will feed.
    const t = c.initializers.get(name);
    const dtype = t?.dtype ?? c.valueInfo.get(name)?.dtype ?? c.inputs.find((v) => v.name === name)?.dtype ?? 'float32';
    c.outputs.push({ name, dtype });
  }
  return c;
}

/** How dataset samples are laid out for the model's (single) input. */
export interface InputLayout {
  name: string;
  /** Dims of one batch of `n` samples. */
  dims(n: number): number[];
  /** Fixed batch size declared by the model, if its batch dim is a number. */
  fixedBatch?: number;
}

function fmtShape(s: readonly Dim[]): string {
  return `[${s.join(', ')}]`;
}

/** Match the model's input to the data: rank 2 → [n, features], rank 1+sample rank → [n, ...sample]. */
export function inputLayout(g: Graph, ds: Dataset): InputLayout {
  if (g.inputs.length !== 1) {
    throw new ReproError(
      `graph '${g.name}' has ${g.inputs.length} inputs (${g.inputs.map((v) => v.name).join(', ')}); evaluation feeds exactly one image input`,
    );
  }
  const v = g.inputs[0]!;
  if (v.dtype !== 'float32')
    throw new ReproError(`model input '${v.name}' is ${v.dtype}; reprune feeds image data as float32`);
  const size = sampleSizeOf(ds);
  const sample = ds.shape;
  const fixed = v.shape && typeof v.shape[0] === 'number' ? v.shape[0] : undefined;
  const mismatch = () =>
    new ReproError(
      `model input '${v.name}' has shape ${fmtShape(v.shape ?? [])} but ${ds.name} samples have shape ${fmtShape(sample)} ` +
        `(${size} values); use data that matches the model or a model built for this data`,
    );
  if (!v.shape) return { name: v.name, dims: (n) => [n, ...sample] };
  const rest = v.shape.slice(1);
  if (v.shape.length === 2) {
    if (typeof rest[0] === 'number' && rest[0] !== size) throw mismatch();
    return { name: v.name, dims: (n) => [n, size], fixedBatch: fixed };
  }
  if (v.shape.length !== sample.length + 1) throw mismatch();
  rest.forEach((d, i) => {
    if (typeof d === 'number' && d !== sample[i]) throw mismatch();
  });
  return { name: v.name, dims: (n) => [n, ...sample], fixedBatch: fixed };
}

/** Keep the first n rows of a batch-major tensor (drops the padding of a fixed-batch run). */
function firstRows(t: Tensor, fed: number, n: number): Tensor {
  if (n === fed || t.dims[0] !== fed) return t;
  const row = t.data.length / fed;
  return { dtype: t.dtype, dims: [n, ...t.dims.slice(1)], data: t.data.slice(0, n * row) as Tensor['data'] };
}

/** The memory-bounded batch when the caller fixes none. */
function defaultBatch(g: Graph, ds: Dataset, names: string[], opts: StreamOptions): number {
  return boundedBatch(sampleBytes(g, ds.shape, names), opts.maxBatch ?? 256, opts.memoryBytes);
}

/** Run `g` over `ds` in order, calling `cb` with the values `names` of each batch. */
export async function forEachBatch(
  g: Graph,
  ds: Dataset,
  names: string[],
  cb: BatchCallback,
  opts: StreamOptions = {},
): Promise<StreamStats> {
  const data = opts.limit === undefined ? ds : take(ds, opts.limit);
  const layout = inputLayout(g, data);
  const batchSize = layout.fixedBatch ?? opts.batchSize ?? defaultBatch(g, data, names, opts);
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new ReproError(`--batch-size ${batchSize}: must be a positive integer`);
  const graph = withOutputs(g, names);
  if (!opts.once) return streamBatches(await compile(graph, opts.runtime), data, layout, batchSize, names, cb);
  const runner = await compileOnce(graph, opts.runtime);
  try {
    return await streamBatches(runner, data, layout, batchSize, names, cb);
  } finally {
    await runner.release();
  }
}

/** The batches of `data` through `runner`, in order. */
async function streamBatches(
  runner: Runner,
  data: Dataset,
  layout: InputLayout,
  batchSize: number,
  names: string[],
  cb: BatchCallback,
): Promise<StreamStats> {
  const size = sampleSizeOf(data);
  let batches = 0;
  let ms = 0;
  let firstMs = 0;
  for (let offset = 0; offset < data.count; offset += batchSize) {
    const n = Math.min(batchSize, data.count - offset);
    const fed = layout.fixedBatch ?? n;
    // Fresh zeroed buffer: ORT may keep a view of it, and padding rows stay zero.
    const x = new Float32Array(fed * size);
    x.set(data.images.subarray(offset * size, (offset + n) * size));
    const t0 = performance.now();
    const out = await runner.run({ [layout.name]: { dtype: 'float32', dims: layout.dims(fed), data: x } }, names);
    const dt = performance.now() - t0;
    if (batches === 0) firstMs = dt;
    else ms += dt;
    batches++;
    const trimmed: Record<string, Tensor> = {};
    for (const k of names) trimmed[k] = firstRows(out[k]!, fed, n);
    await cb(trimmed, n, { offset, labels: data.labels.subarray(offset, offset + n) });
  }
  const msPerBatch = batches > 1 ? ms / (batches - 1) : firstMs;
  return { samples: data.count, batches, batchSize, msPerBatch };
}
