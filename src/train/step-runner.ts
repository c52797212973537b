/**
 * Runs one training step in ORT with as few copies as possible: parameter and state tensors wrap the model's own
 * Float32Arrays (created once, updated in place by the optimizer), so only the batch, labels and outputs move.
 */
import type ort from 'onnxruntime-node';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { ortModule } from '../runtime/ort.js';
import { compile, toOrt, type Runner } from '../runtime/session.js';
import { ReproError } from '../util/errors.js';
import { LABELS_INPUT, type TrainGraph } from './train-graph.js';

export interface StepResult {
  loss: number;
  logits: Float32Array;
  grads: Record<string, Float32Array>;
}

export class StepRunner {
  private readonly fixed: Record<string, ort.Tensor> = {};
  private readonly labels: Float32Array;
  private readonly labelsTensor: ort.Tensor;
  private readonly outputs: string[];
  private readonly usesLabels: boolean;
  // Bound once: the constructor only runs after compile(), which loaded onnxruntime-node.
  private readonly OrtTensor = ortModule().Tensor;

  private constructor(
    private readonly runner: Runner,
    private readonly tg: TrainGraph,
    private readonly model: Graph,
    readonly batch: number,
    readonly inputDims: number[],
  ) {
    const inputs = new Set(runner.inputNames);
    for (const name of [...Object.keys(tg.grads), ...tg.stateInputs]) {
      if (!inputs.has(name)) continue; // e.g. a parameter ORT pruned as unused
      const t = model.initializers.get(name);
      if (!t) throw new ReproError(`training graph input '${name}' is not an initializer of model '${model.name}'`);
      this.fixed[name] = toOrt(t);
    }
    this.usesLabels = inputs.has(LABELS_INPUT);
    this.labels = new Float32Array(batch * tg.numClasses);
    this.labelsTensor = new this.OrtTensor('float32', this.labels, [batch, tg.numClasses]);
    this.outputs = [tg.loss, tg.logits, ...Object.values(tg.grads), ...Object.values(tg.stateUpdates)];
  }

  static async create(tg: TrainGraph, model: Graph, batch: number, sampleDims: number[]): Promise<StepRunner> {
    const runner = await compile(tg.graph);
    return new StepRunner(runner, tg, model, batch, [batch, ...sampleDims]);
  }

  /** Names the session expects besides data, labels, parameters and state (e.g. teacher logits, ADMM Z/U). */
  extraInputs(): string[] {
    const known = new Set([this.tg.input, LABELS_INPUT, ...Object.keys(this.fixed)]);
    return this.runner.inputNames.filter((n) => !known.has(n));
  }

  /** One forward+backward pass; BatchNorm running statistics are written back into the model's initializers. */
  async run(x: Float32Array, y: Int32Array, extra: Record<string, Tensor>): Promise<StepResult> {
    const feeds: Record<string, ort.Tensor> = {
      ...this.fixed,
      [this.tg.input]: new this.OrtTensor('float32', x, this.inputDims),
    };
    if (this.usesLabels) {
      const k = this.tg.numClasses;
      this.labels.fill(0);
      for (let i = 0; i < y.length; i++) this.labels[i * k + y[i]!] = 1;
      feeds[LABELS_INPUT] = this.labelsTensor;
    }
    for (const [k, t] of Object.entries(extra)) feeds[k] = toOrt(t);
    let res: ort.InferenceSession.OnnxValueMapType;
    try {
      res = await this.runner.session.run(feeds, this.outputs);
    } catch (e) {
      throw new ReproError(`ONNX Runtime failed to run the training graph: ${(e as Error).message.split('\n')[0]}`);
    }
    for (const [init, out] of Object.entries(this.tg.stateUpdates)) {
      (this.model.initializers.get(init)!.data as Float32Array).set((res[out] as ort.Tensor).data as Float32Array);
    }
    const grads: Record<string, Float32Array> = {};
    for (const [p, out] of Object.entries(this.tg.grads)) grads[p] = (res[out] as ort.Tensor).data as Float32Array;
    const loss = ((res[this.tg.loss] as ort.Tensor).data as Float32Array)[0]!;
    return { loss, logits: (res[this.tg.logits] as ort.Tensor).data as Float32Array, grads };
  }
}
