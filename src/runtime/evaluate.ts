/**
 * Classification quality of a model on a dataset: top-1 accuracy and mean softmax cross-entropy of
 * its first output (taken as logits), computed here in float64 so the loss does not depend on
 * whether the graph ends in Softmax-free logits of any magnitude.
 */
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { ReproError } from '../util/errors.js';
import { forEachBatch, type StreamOptions } from './capture.js';

export interface EvalResult {
  /** Fraction in [0, 1]. */
  accuracy: number;
  /** Mean cross-entropy (nats). */
  loss: number;
  samples: number;
  /** Samples per run actually used (memory-bounded unless the caller fixed it). */
  batchSize: number;
  msPerBatch: number;
}

/** Sum over rows of −log softmax(z)[y] (log-sum-exp shifted by the row max), and the count of correct argmaxes. */
export function crossEntropyAndHits(
  logits: Float32Array,
  labels: Int32Array,
  n: number,
  classes: number,
): { lossSum: number; hits: number } {
  let lossSum = 0;
  let hits = 0;
  for (let r = 0; r < n; r++) {
    const base = r * classes;
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < classes; c++) {
      const z = logits[base + c]!;
      if (z > max) {
        max = z;
        arg = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[base + c]! - max);
    lossSum += Math.log(sum) + max - logits[base + labels[r]!]!;
    if (arg === labels[r]) hits++;
  }
  return { lossSum, hits };
}

function checkLogits(g: Graph, name: string, t: Tensor, n: number, ds: Dataset): number {
  if (t.dtype !== 'float32' || t.dims.length !== 2 || t.dims[0] !== n) {
    throw new ReproError(
      `model output '${name}' has shape [${t.dims.join(', ')}] (${t.dtype}); evaluation needs float32 logits [batch, classes]`,
    );
  }
  const classes = t.dims[1]!;
  if (classes < ds.numClasses) {
    throw new ReproError(
      `model output '${name}' of graph '${g.name}' has ${classes} classes but ${ds.name} has ${ds.numClasses}; use a model trained for this data`,
    );
  }
  return classes;
}

/** Top-1 accuracy and mean cross-entropy over `ds` (or its first `limit` samples). */
export async function evaluate(g: Graph, ds: Dataset, opts: StreamOptions = {}): Promise<EvalResult> {
  const out = g.outputs[0];
  if (!out) throw new ReproError(`graph '${g.name}' has no outputs; nothing to evaluate`);
  let lossSum = 0;
  let hits = 0;
  const stats = await forEachBatch(
    g,
    ds,
    [out.name],
    (res, n, info) => {
      const t = res[out.name]!;
      const classes = checkLogits(g, out.name, t, n, ds);
      const r = crossEntropyAndHits(t.data as Float32Array, info.labels, n, classes);
      lossSum += r.lossSum;
      hits += r.hits;
    },
    opts,
  );
  const samples = stats.samples;
  return {
    accuracy: samples ? hits / samples : 0,
    loss: samples ? lossSum / samples : 0,
    samples,
    batchSize: stats.batchSize,
    msPerBatch: stats.msPerBatch,
  };
}
