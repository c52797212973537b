/**
 * Gradients for pruning-at-initialization scores: one training graph (src/train + src/autodiff), run in ONNX
 * Runtime on a few fixed batches, averaged in float64. The probe works on its own copy of the model, so scores
 * can set masked / perturbed / |θ| weights without touching the caller's model (BatchNorm running statistics
 * updated by training-mode steps also stay in the copy).
 */
import { batches, type Batch } from '../../data/loader.js';
import type { Dataset } from '../../data/dataset.js';
import { A } from '../../ir/attrs.js';
import type { Graph } from '../../ir/graph.js';
import { i64vec } from '../../ir/tensor.js';
import { StepRunner } from '../../train/step-runner.js';
import { buildTrainGraph, type LossFn } from '../../train/train-graph.js';
import { ReproError } from '../../util/errors.js';

export interface ProbeBatches {
  list: Batch[];
  /** Per-sample dims the model expects ([784] for a flat MLP, [1, 28, 28] for a conv net). */
  sampleDims: number[];
}

/** The first `count` batches of a seeded shuffle of `ds`, laid out for the model's input rank. */
export function probeBatches(model: Graph, ds: Dataset, count: number, batchSize: number, seed = 0): ProbeBatches {
  const flat = (model.inputs[0]?.shape ?? []).length === 2;
  const list: Batch[] = [];
  for (const b of batches(ds, {
    batchSize: Math.min(batchSize, ds.count),
    shuffle: true,
    seed,
    dropLast: true,
    layout: flat ? 'flat' : 'nchw',
  })) {
    list.push(b);
    if (list.length >= count) break;
  }
  if (list.length === 0)
    throw new ReproError(
      `pruning-at-init scores need at least one batch of ${batchSize} samples; ${ds.name} has ${ds.count}`,
    );
  return { list, sampleDims: flat ? [ds.shape.reduce((a, b) => a * b, 1)] : [...ds.shape] };
}

/** Loss R = Σ logits (SynFlow's objective). */
export const sumOfOutputsLoss: LossFn = (ctx) => {
  const axes = ctx.g.addInitializer('synflow.axes', i64vec([0, 1]));
  return ctx.g.add('ReduceSum', [ctx.logits, axes], { keepdims: A.int(0) }, { name: 'synflow.sum' })[0]!;
};

export interface ProbeOptions {
  batch: number;
  sampleDims: number[];
  loss?: LossFn;
  /** BatchNorm in inference mode (SynFlow); default training mode (batch statistics), as in training. */
  frozenBatchNorm?: boolean;
}

/** The probe's loss is not finite (float32 overflow): a ReproError callers may recover from (SynFlow shrinks |θ|). */
export class ProbeOverflowError extends ReproError {}

export class GradientProbe {
  private constructor(
    readonly work: Graph,
    readonly params: string[],
    private readonly runner: StepRunner,
  ) {}

  static async create(model: Graph, params: string[], opts: ProbeOptions): Promise<GradientProbe> {
    const work = model.clone();
    const tg = buildTrainGraph(work, {
      batch: opts.batch,
      params,
      loss: opts.loss,
      frozenBatchNorm: opts.frozenBatchNorm,
    });
    const runner = await StepRunner.create(tg, work, opts.batch, opts.sampleDims);
    return new GradientProbe(work, params, runner);
  }

  /** The probe's own weight array of a parameter (write into it to change what the next run sees). */
  weights(name: string): Float32Array {
    return this.work.initializers.get(name)!.data as Float32Array;
  }

  /** Mean loss and mean gradient (float64) over the batches. */
  async meanGrads(list: Batch[]): Promise<{ loss: number; grads: Record<string, Float64Array> }> {
    const grads: Record<string, Float64Array> = {};
    for (const p of this.params) grads[p] = new Float64Array(this.weights(p).length);
    let loss = 0;
    for (const b of list) {
      const r = await this.runner.run(b.x, b.y, {});
      if (!Number.isFinite(r.loss))
        throw new ProbeOverflowError(
          `pruning-at-init: the probe loss is ${r.loss}; the model's outputs overflow float32`,
        );
      loss += r.loss / list.length;
      for (const p of this.params) {
        const src = r.grads[p]!;
        const dst = grads[p]!;
        for (let i = 0; i < dst.length; i++) dst[i] += src[i]! / list.length;
      }
    }
    return { loss, grads };
  }
}
