/**
 * Memory-bounded batches. A run over a batch holds, per sample, the values fetched as outputs (twice: ORT's copy
 * and ours) and the activations ONNX Runtime keeps live while it computes. At 28 px that is kilobytes and any batch
 * fits; a ResNet-50 at 224 px with every prunable layer fetched holds ~40 MB per sample, and the fixed batch of 250
 * that calibration used reached 23 GB. So, when the caller does not fix the batch, it is the largest that keeps the
 * estimate under a byte budget, capped by the caller's usual batch (small models run exactly as before).
 */
import type { Graph } from '../ir/graph.js';
import { bindSampleShape, inferShapesDetailed } from '../ir/shape/index.js';
import { BYTES_PER_ELEMENT } from '../ir/tensor.js';

/** Bytes a streamed run may hold for its batch (default 1 GiB; ORT's weights and arena come on top). */
export const BATCH_MEMORY_BYTES = 1 << 30;

/**
 * Live activations are estimated as this many times the largest single activation: a residual block holds its
 * input, the branch's current input and output, the batch's input, and a convolution's workspace. A ResNet-50 at
 * 224 px added 3.4×, 4.4× and 4.3× its largest activation (3.2 MB) of peak RSS per sample at batches 8, 16 and 32,
 * fetching only the logits.
 */
const LIVE_ACTIVATIONS = 5;

/** What one sample of a run holds: fetched values and the largest activation, in bytes (undefined: unknown). */
export interface SampleBytes {
  fetched: number;
  largestActivation: number;
}

/** Per-sample bytes of `g` run on samples of shape `sample`, fetching `names`; undefined where shapes are not static. */
export function sampleBytes(g: Graph, sample: readonly number[], names: readonly string[]): SampleBytes | undefined {
  const c = g.clone(true);
  try {
    bindSampleShape(c, sample, 'batch memory');
    const { types } = inferShapesDetailed(c, { batch: 1 });
    const bytesOf = (name: string): number | undefined => {
      const t = types.get(name);
      if (!t || t.shape.some((d) => typeof d !== 'number')) return undefined;
      return (t.shape as number[]).reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[t.dtype];
    };
    let fetched = 0;
    for (const n of names) {
      const b = bytesOf(n);
      if (b === undefined) return undefined;
      fetched += b;
    }
    let largestActivation = 0;
    for (const node of c.nodes)
      for (const o of node.outputs) largestActivation = Math.max(largestActivation, bytesOf(o) ?? 0);
    return { fetched, largestActivation };
  } catch {
    return undefined; // shapes this estimate cannot see: the caller's usual batch
  }
}

/** The batch that keeps `perSample` under `budget` bytes, between 1 and `cap`. */
export function boundedBatch(perSample: SampleBytes | undefined, cap: number, budget = BATCH_MEMORY_BYTES): number {
  if (!perSample) return cap;
  const bytes = 2 * perSample.fetched + LIVE_ACTIVATIONS * perSample.largestActivation;
  if (bytes <= 0) return cap;
  return Math.max(1, Math.min(cap, Math.floor(budget / bytes)));
}
