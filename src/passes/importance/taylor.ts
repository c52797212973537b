/**
 * Gradients for Taylor importance (w·ḡ)²: ḡ = gradient of the mean cross-entropy w.r.t. every prunable weight,
 * averaged over a few seeded batches of training data. Uses the pruning-at-init gradient probe (src/train's
 * training graph run in ONNX Runtime) on a copy of the model, and returns the gradients in GEMM-view layout.
 */
import type { Dataset } from '../../data/dataset.js';
import { gemmViews, readGemmMatrix } from '../../ir/gemm-view.js';
import type { Graph } from '../../ir/graph.js';
import { ReproError } from '../../util/errors.js';
import { GradientProbe, probeBatches } from '../pai/probe.js';
import type { GradMap } from './element.js';

export interface TaylorOptions {
  /** Samples used in total (default 512 = 4 batches of 128). */
  samples?: number;
  batchSize?: number;
  /** Seed of the shuffle that picks the samples. */
  seed?: number;
  /**
   * BatchNorm with running statistics (default true, ours): the importance then describes the model as it is
   * deployed. false = batch statistics, as during training.
   */
  frozenBatchNorm?: boolean;
}

export interface TaylorGradients {
  grads: GradMap;
  /** Mean loss over the batches used. */
  loss: number;
  samples: number;
}

export async function taylorGradients(g: Graph, ds: Dataset, opts: TaylorOptions = {}): Promise<TaylorGradients> {
  const samples = opts.samples ?? 512;
  const batchSize = Math.min(opts.batchSize ?? 128, samples, ds.count);
  if (!(Number.isInteger(samples) && samples >= 1))
    throw new ReproError(`--calib ${samples}: expected a positive number of samples`);
  const views = gemmViews(g);
  const params = [...new Set(views.map((v) => v.weight))];
  if (!params.length)
    throw new ReproError(
      '--importance taylor: the model has no prunable layer (Conv/Gemm/MatMul with a constant float weight)',
    );
  const out = g.outputs[0]?.shape;
  const classes = out && typeof out[out.length - 1] === 'number' ? (out[out.length - 1] as number) : undefined;
  if (classes !== undefined && classes !== ds.numClasses) {
    throw new ReproError(
      `--data ${ds.name}: has ${ds.numClasses} classes but the model outputs ${classes}; Taylor importance needs the model's own training data`,
    );
  }
  const { list, sampleDims } = probeBatches(
    g,
    ds,
    Math.max(1, Math.floor(samples / batchSize)),
    batchSize,
    opts.seed ?? 0,
  );
  const probe = await GradientProbe.create(g, params, {
    batch: batchSize,
    sampleDims,
    frozenBatchNorm: opts.frozenBatchNorm ?? true,
  });
  const { loss, grads } = await probe.meanGrads(list);
  const gm: GradMap = new Map();
  for (const v of views) {
    if (gm.has(v.weight)) continue;
    const t = g.initializers.get(v.weight)!;
    gm.set(v.weight, readGemmMatrix({ ...t, data: Float32Array.from(grads[v.weight]!) }, v));
  }
  return { grads: gm, loss, samples: list.length * batchSize };
}
