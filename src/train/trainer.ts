/**
 * The training loop. One training graph per (model, batch size) is built and compiled once; every step feeds the
 * batch plus the model's own weight arrays (no copies), updates them in TypeScript and writes BatchNorm running
 * statistics back. The last partial batch of an epoch is dropped (a second graph for it would cost a compile
 * and shift BatchNorm statistics for little gain). Same seed ⇒ same result; a resumed run is bit-identical.
 */
import { batches, type Augment, type Batch } from '../data/loader.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { ReproError } from '../util/errors.js';
import { Interrupted, onStopRequest, stopRequested } from '../util/signals.js';
import { loadCheckpoint, saveCheckpoint, type EpochStats, type RunKey, type TrainState } from './checkpoint.js';
import { makeOptimizer, makeSchedule, type Optimizer, type OptimizerOptions, type Param, type Schedule, type ScheduleKind } from './optim/index.js';
import { applyMasks, selectParams, toByteMask } from './params.js';
import { ProgressDisplay, type ProgressInfo } from './progress.js';
import { EvalRunner } from './eval-runner.js';
import { StepRunner } from './step-runner.js';
import { buildTrainGraph, type LossFn } from './train-graph.js';

export type { EpochStats } from './checkpoint.js';

export interface StepContext {
  epoch: number;
  /** Global step (0-based, counted across epochs). */
  step: number;
  batch: Batch;
  model: Graph;
  params: readonly Param[];
}

export interface TrainHooks {
  beforeStep?(ctx: StepContext): void | Promise<void>;
  /** After the gradients are in `params[i].grad`, before the optimizer: may rewrite gradients in place (e.g. tie a block's entries). */
  beforeUpdate?(ctx: StepContext & { loss: number }): void | Promise<void>;
  afterStep?(ctx: StepContext & { loss: number; lr: number }): void | Promise<void>;
  afterEpoch?(ctx: { epoch: number; stats: EpochStats; model: Graph; params: readonly Param[] }): void | Promise<void>;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  /** 'sgd' | 'adam' | 'adamw', full optimizer options, or a ready optimizer instance. Default SGD momentum 0.9. */
  optimizer?: OptimizerOptions['kind'] | OptimizerOptions | Optimizer;
  schedule?: ScheduleKind | Schedule;
  warmupEpochs?: number;
  seed?: number;
  evalDs?: Dataset;
  evalBatchSize?: number;
  /** Parameter name → mask (0 = pruned, held at exactly 0). */
  masks?: Record<string, Uint8Array | Float32Array>;
  /** Parameters to train (default: every weight/bias of Conv, Gemm, MatMul, BatchNorm, ...). */
  params?: string[];
  frozen?: string[];
  /** Builds the loss on the forward graph (default: softmax cross-entropy). */
  loss?: LossFn;
  hooks?: TrainHooks;
  /** Values for extra graph inputs (teacher logits, ADMM Z/U, ...): fixed, or computed per step. */
  extraFeeds?: Record<string, Tensor> | ((ctx: StepContext) => Record<string, Tensor> | Promise<Record<string, Tensor>>);
  augment?: Augment;
  checkpoint?: { path: string; every?: number };
  /** Continue from this checkpoint (true: from `checkpoint.path`). */
  resume?: string | boolean;
  onProgress?: (p: ProgressInfo) => void;
  /** Show progress on stderr (default false). */
  progress?: boolean;
  frozenBatchNorm?: boolean;
}

export interface TrainResult {
  /** The trained model (a copy of the input graph; the input is not modified). */
  graph: Graph;
  history: EpochStats[];
  params: string[];
}

function resolveOptimizer(o: TrainOptions['optimizer']): Optimizer {
  if (o && typeof o === 'object' && 'step' in o) return o;
  if (o === undefined) return makeOptimizer({ kind: 'sgd', momentum: 0.9 });
  return makeOptimizer(typeof o === 'string' ? { kind: o, momentum: o === 'sgd' ? 0.9 : undefined } : o);
}

function countHits(logits: Float32Array, y: Int32Array, k: number): number {
  let hits = 0;
  for (let r = 0; r < y.length; r++) {
    let arg = 0;
    for (let c = 1; c < k; c++) if (logits[r * k + c]! > logits[r * k + arg]!) arg = c;
    if (arg === y[r]) hits++;
  }
  return hits;
}

function sampleLayout(model: Graph, ds: Dataset): { layout: 'nchw' | 'flat'; dims: number[] } {
  const shape = model.inputs[0]?.shape ?? [];
  const size = ds.shape.reduce((a, b) => a * b, 1);
  const want = shape.slice(1);
  const flat = shape.length === 2;
  const dims = flat ? [size] : [...ds.shape];
  if (want.length !== dims.length || want.some((d, i) => typeof d === 'number' && d !== dims[i])) {
    throw new ReproError(`model input '${model.inputs[0]?.name}' expects samples [${want.join(', ')}] but ${ds.name} has [${ds.shape.join(', ')}]`);
  }
  return { layout: flat ? 'flat' : 'nchw', dims };
}

export async function trainModel(g: Graph, ds: Dataset, opts: TrainOptions): Promise<TrainResult> {
  const { epochs, seed = 0 } = opts;
  if (!(Number.isInteger(epochs) && epochs >= 1)) throw new ReproError(`--epochs ${epochs}: must be a positive integer`);
  if (!(Number.isInteger(opts.batchSize) && opts.batchSize >= 1)) throw new ReproError(`--batch ${opts.batchSize}: must be a positive integer`);
  const model = g.clone();
  const params = selectParams(model, opts.params, opts.frozen);
  const masks = Object.fromEntries(Object.entries(opts.masks ?? {}).map(([k, m]) => [k, toByteMask(m)]));
  applyMasks(model, masks);
  const optimizer = resolveOptimizer(opts.optimizer);
  const batch = Math.min(opts.batchSize, ds.count);
  const key: RunKey = { batchSize: batch, seed, epochs, optimizer: optimizer.kind, params };

  let startEpoch = 0;
  let step = 0;
  let history: EpochStats[] = [];
  let resumeIn: TrainState['partial'];
  const resumePath = opts.resume === true ? opts.checkpoint?.path : opts.resume || undefined;
  if (opts.resume === true && !resumePath) throw new ReproError('--resume needs a checkpoint path');
  if (resumePath) {
    const ck = loadCheckpoint(resumePath);
    const k = ck.state.key;
    const diff = (Object.keys(key) as (keyof RunKey)[]).filter((f) => JSON.stringify(k[f]) !== JSON.stringify(key[f]));
    if (diff.length) {
      const show = (f: keyof RunKey) => (f === 'params' ? `${k.params.length} trained parameters` : `${f} ${String(k[f])} (now ${String(key[f])})`);
      throw new ReproError(`--resume ${resumePath}: the checkpoint was made with ${diff.map(show).join(', ')}; resume with the same settings`);
    }
    for (const [name, t] of model.initializers) {
      const src = ck.model.initializers.get(name);
      if (!src || src.data.length !== t.data.length) throw new ReproError(`--resume ${resumePath}: initializer '${name}' is missing or has another shape; the checkpoint belongs to another model`);
      (t.data as Float32Array).set(src.data as Float32Array);
    }
    optimizer.load(ck.state.optimizer);
    ({ epochsDone: startEpoch, step, history, partial: resumeIn } = ck.state);
  }

  const { layout, dims } = sampleLayout(model, ds);
  const tg = buildTrainGraph(model, { batch, params, loss: opts.loss, frozenBatchNorm: opts.frozenBatchNorm, dropoutSeed: seed });
  const runner = await StepRunner.create(tg, model, batch, dims);
  if (!opts.extraFeeds && runner.extraInputs().length) {
    throw new ReproError(`the loss declares inputs ${runner.extraInputs().join(', ')} but no extraFeeds were given to fill them`);
  }
  const slots: Param[] = params.map((name) => ({
    name, data: model.initializers.get(name)!.data as Float32Array, grad: new Float32Array(0), mask: masks[name],
  }));
  const stepsPerEpoch = Math.floor(ds.count / batch);
  const schedule = typeof opts.schedule === 'function' ? opts.schedule : makeSchedule({
    kind: opts.schedule ?? 'none', lr: opts.lr, totalSteps: epochs * stepsPerEpoch, stepsPerEpoch,
    warmupSteps: Math.round((opts.warmupEpochs ?? 0) * stepsPerEpoch),
  });
  const evalRunner = opts.evalDs ? await EvalRunner.create(model, [...params, ...Object.keys(tg.stateUpdates)]) : undefined;
  const display = new ProgressDisplay(opts.progress ?? false);
  // Ctrl-C with a checkpoint path: finish the step, save, stop (exit 130 in the CLI) instead of losing the run.
  const releaseStop = opts.checkpoint ? onStopRequest() : undefined;
  let lastGood = resumePath;
  const diverged = (what: string) => {
    const kept = lastGood ? `; the last good checkpoint is ${lastGood}` : opts.checkpoint ? '; no checkpoint was saved yet' : '';
    return new ReproError(`training diverged: ${what}; lower --lr or check the data${kept}`);
  };
  // An update can overflow after its loss was computed: never save or return such weights.
  const assertFinite = (when: string) => {
    const broken = slots.find((s) => !s.data.every(Number.isFinite));
    if (broken) throw diverged(`parameter '${broken.name}' is not finite ${when}`);
  };
  const save = (epochsDone: number, partial?: TrainState['partial']) => {
    assertFinite(`after step ${step}`);
    saveCheckpoint(model, opts.checkpoint!.path, { version: 1, epochsDone, step, optimizer: optimizer.state(), history, key, partial });
    lastGood = opts.checkpoint!.path;
  };
  try {
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      display.startEpoch(epoch, epochs, stepsPerEpoch);
      const t0 = performance.now();
      let lossSum = 0, hits = 0, seen = 0, lr = schedule(step), inEpoch = 0;
      // Resuming a checkpoint saved mid-epoch: replay the batch stream (same order and augmentation) up to where it stopped.
      const skip = epoch === startEpoch ? resumeIn : undefined;
      if (skip) ({ steps: inEpoch, lossSum, hits, seen, lr } = skip);
      const seen0 = seen;
      let batchIndex = 0;
      for (const b of batches(ds, { batchSize: batch, shuffle: true, seed, epoch, dropLast: true, augment: opts.augment, layout })) {
        if (batchIndex++ < (skip?.steps ?? 0)) continue;
        const ctx: StepContext = { epoch, step, batch: b, model, params: slots };
        await opts.hooks?.beforeStep?.(ctx);
        const extra = typeof opts.extraFeeds === 'function' ? await opts.extraFeeds(ctx) : opts.extraFeeds ?? {};
        const r = await runner.run(b.x, b.y, extra);
        if (!Number.isFinite(r.loss)) throw diverged(`loss is ${r.loss} at epoch ${epoch + 1}, step ${step + 1}`);
        for (const s of slots) s.grad = r.grads[s.name]!;
        await opts.hooks?.beforeUpdate?.({ ...ctx, loss: r.loss });
        lr = schedule(step);
        optimizer.step(slots, lr);
        step++;
        inEpoch++;
        lossSum += r.loss * b.n;
        hits += countHits(r.logits, b.y, tg.numClasses);
        seen += b.n;
        await opts.hooks?.afterStep?.({ ...ctx, loss: r.loss, lr });
        if (opts.onProgress || opts.progress) {
          const p = { epoch, epochs, step: inEpoch, stepsPerEpoch, loss: lossSum / seen, trainAcc: hits / seen, samplesPerSecond: seen / ((performance.now() - t0) / 1000) };
          opts.onProgress?.(p);
          display.update(p);
        }
        if (stopRequested() && opts.checkpoint && inEpoch < stepsPerEpoch) {
          save(epoch, { steps: inEpoch, lossSum, hits, seen, lr });
          throw new Interrupted(`interrupted in epoch ${epoch + 1}/${epochs} after step ${inEpoch}/${stepsPerEpoch}; saved checkpoint ${opts.checkpoint.path}; continue with --resume ${opts.checkpoint.path}`);
        }
      }
      assertFinite(`after epoch ${epoch + 1}`);
      const stats: EpochStats = { epoch, loss: lossSum / seen, trainAcc: hits / seen, samplesPerSecond: (seen - seen0) / ((performance.now() - t0) / 1000), lr };
      if (opts.evalDs && evalRunner) {
        const ev = await evalRunner.run(opts.evalDs, opts.evalBatchSize ?? 500, layout);
        stats.testAcc = ev.accuracy;
        stats.testLoss = ev.loss;
      }
      history = [...history, stats];
      display.endEpoch(stats, epochs);
      await opts.hooks?.afterEpoch?.({ epoch, stats, model, params: slots });
      const ck = opts.checkpoint;
      const stopping = stopRequested() && epoch + 1 < epochs;
      if (ck && ((epoch + 1) % (ck.every ?? 1) === 0 || epoch + 1 === epochs || stopping)) save(epoch + 1);
      if (ck && stopping) throw new Interrupted(`interrupted after epoch ${epoch + 1}/${epochs}; saved checkpoint ${ck.path}; continue with --resume ${ck.path}`);
    }
  } finally {
    display.stop();
    releaseStop?.();
  }
  return { graph: model, history, params };
}
