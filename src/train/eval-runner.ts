/**
 * Per-epoch evaluation without recompiling: the model is compiled once with its trainable parameters and
 * BatchNorm statistics as graph inputs, then fed the live weight arrays each epoch. (Compiling the model with
 * baked-in weights every epoch would create, and cache, a new ORT session per epoch.)
 */
import type ort from 'onnxruntime-node';
import { batches } from '../data/loader.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { crossEntropyAndHits } from '../runtime/evaluate.js';
import { ortModule } from '../runtime/ort.js';
import { compile, toOrt, type Runner } from '../runtime/session.js';
import { ReproError } from '../util/errors.js';

export interface EvalStats {
  accuracy: number;
  loss: number;
}

export class EvalRunner {
  private constructor(
    private readonly runner: Runner,
    private readonly model: Graph,
    private readonly fed: string[],
  ) {}

  /** `live`: initializers whose values change during training (fed each run instead of baked in). */
  static async create(model: Graph, live: readonly string[]): Promise<EvalRunner> {
    const g = model.clone(true);
    g.outputs = [g.outputs[0]!];
    const fed: string[] = [];
    for (const name of live) {
      const t = g.initializers.get(name);
      if (!t) continue;
      g.initializers.delete(name);
      g.inputs.push({ name, dtype: t.dtype, shape: [...t.dims] });
      fed.push(name);
    }
    return new EvalRunner(await compile(g), model, fed);
  }

  async run(ds: Dataset, batchSize: number, layout: 'nchw' | 'flat'): Promise<EvalStats> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of this.fed) feeds[name] = toOrt(this.model.initializers.get(name)!);
    const OrtTensor = ortModule().Tensor; // loaded: this runner's session was compiled in create()
    const input = this.model.inputs[0]!.name;
    const out = this.model.outputs[0]!.name;
    let lossSum = 0,
      hits = 0,
      seen = 0;
    for (const b of batches(ds, { batchSize, layout })) {
      feeds[input] = new OrtTensor('float32', b.x, b.dims);
      let res: ort.InferenceSession.OnnxValueMapType;
      try {
        res = await this.runner.session.run(feeds, [out]);
      } catch (e) {
        throw new ReproError(
          `ONNX Runtime failed to evaluate model '${this.model.name}': ${(e as Error).message.split('\n')[0]}`,
        );
      }
      const t = res[out] as ort.Tensor;
      const r = crossEntropyAndHits(t.data as Float32Array, b.y, b.n, t.dims[1]!);
      lossSum += r.lossSum;
      hits += r.hits;
      seen += b.n;
    }
    return { accuracy: seen ? hits / seen : 0, loss: seen ? lossSum / seen : 0 };
  }
}
