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
import {
  clipGradNorm,
  makeOptimizer,
  makeSchedule,
  type Optimizer,
  type OptimizerOptions,
  type Param,
  type Schedule,
  type ScheduleKind,
} from './optim/index.js';
import { applyMasks, selectParams, toByteMask } from './params.js';
import { ProgressDisplay, type ProgressInfo } from './progress.js';
import { EvalRunner } from './eval-runner.js';
import { StepRunner } from './step-runner.js';
import { buildTrainGraph, defaultLoss, type LossFn, type TrainGraph } from './train-graph.js';

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
  /** Builds the loss on the forward graph (default: softmax cross-entropy, with `labelSmoothing`). */
  loss?: LossFn;
  /** Label smoothing ε of the default cross-entropy (ignored with a custom `loss`). */
  labelSmoothing?: number;
  /** Clip the global L2 norm of the gradients to this (after `beforeUpdate`, before the optimizer). */
  clipGradNorm?: number;
  hooks?: TrainHooks;
  /** Values for extra graph inputs (teacher logits, ADMM Z/U, ...): fixed, or computed per step. */
  extraFeeds?:
    | Record<string, Tensor>
    | ((ctx: StepContext) => Record<string, Tensor> | Promise<Record<string, Tensor>>);
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
    throw new ReproError(
      `model input '${model.inputs[0]?.name}' expects samples [${want.join(', ')}] but ${ds.name} has [${ds.shape.join(', ')}]`,
    );
  }
  return { layout: flat ? 'flat' : 'nchw', dims };
}

/** Partial-epoch counters; also the shape a checkpoint saved mid-epoch stores (`TrainState['partial']`). */
type EpochTally = NonNullable<TrainState['partial']>;

/** Where a resumed run picks up: the epoch/step counters, the history so far and a mid-epoch position, if any. */
interface ResumePoint {
  startEpoch: number;
  step: number;
  history: EpochStats[];
  partial: TrainState['partial'];
}

/** State shared by the phases of one run (epochs, steps, checkpoints); `step`, `history` and `lastGood` advance. */
interface TrainRun extends ResumePoint {
  opts: TrainOptions;
  ds: Dataset;
  model: Graph;
  params: string[];
  optimizer: Optimizer;
  batch: number;
  key: RunKey;
  layout: 'nchw' | 'flat';
  numClasses: number;
  runner: StepRunner;
  slots: Param[];
  stepsPerEpoch: number;
  schedule: Schedule;
  evalRunner: EvalRunner | undefined;
  display: ProgressDisplay;
  /** The last checkpoint known to hold finite weights (named in divergence errors). */
  lastGood: string | undefined;
}

export async function trainModel(g: Graph, ds: Dataset, opts: TrainOptions): Promise<TrainResult> {
  checkSizes(opts);
  const run = await prepareRun(g, ds, opts);
  // Ctrl-C with a checkpoint path: finish the step, save, stop (exit 130 in the CLI) instead of losing the run.
  const releaseStop = opts.checkpoint ? onStopRequest() : undefined;
  try {
    for (let epoch = run.startEpoch; epoch < opts.epochs; epoch++) {
      // Resuming a checkpoint saved mid-epoch: only the first epoch run here starts part-way.
      await runEpoch(run, epoch, epoch === run.startEpoch ? run.partial : undefined);
    }
  } finally {
    run.display.stop();
    releaseStop?.();
  }
  return { graph: run.model, history: run.history, params: run.params };
}

/** Rejects epoch and batch counts that are not positive integers, before any work. */
function checkSizes(opts: TrainOptions): void {
  const { epochs } = opts;
  if (!(Number.isInteger(epochs) && epochs >= 1))
    throw new ReproError(`--epochs ${epochs}: must be a positive integer`);
  if (!(Number.isInteger(opts.batchSize) && opts.batchSize >= 1))
    throw new ReproError(`--batch ${opts.batchSize}: must be a positive integer`);
}

/**
 * Setup, in the order errors should surface: the model copy with its masks, the optimizer, a resumed state, then
 * the compiled training graph, the schedule and the evaluation runner.
 */
async function prepareRun(g: Graph, ds: Dataset, opts: TrainOptions): Promise<TrainRun> {
  const { model, params, masks, optimizer, batch, key } = prepareModel(g, ds, opts);
  const resumePath = opts.resume === true ? opts.checkpoint?.path : opts.resume || undefined;
  if (opts.resume === true && !resumePath) throw new ReproError('--resume needs a checkpoint path');
  const resumed = resumePath
    ? resumeFrom(resumePath, model, optimizer, key)
    : { startEpoch: 0, step: 0, history: [], partial: undefined };
  const { layout, dims } = sampleLayout(model, ds);
  const { tg, runner } = await compileStep(model, opts, { batch, params, dims, seed: key.seed });
  const slots = paramSlots(model, params, masks);
  const stepsPerEpoch = Math.floor(ds.count / batch);
  const schedule = resolveSchedule(opts, stepsPerEpoch);
  const evalRunner = opts.evalDs
    ? await EvalRunner.create(model, [...params, ...Object.keys(tg.stateUpdates)])
    : undefined;
  const display = new ProgressDisplay(opts.progress ?? false);
  const numClasses = tg.numClasses;
  const lastGood = resumePath;
  return {
    ...resumed,
    opts,
    ds,
    model,
    params,
    optimizer,
    batch,
    key,
    layout,
    numClasses,
    runner,
    slots,
    stepsPerEpoch,
    schedule,
    evalRunner,
    display,
    lastGood,
  };
}

/** Builds and compiles the training graph for this batch size; its extra loss inputs must be fed by `extraFeeds`. */
async function compileStep(
  model: Graph,
  opts: TrainOptions,
  { batch, params, dims, seed }: { batch: number; params: string[]; dims: number[]; seed: number },
): Promise<{ tg: TrainGraph; runner: StepRunner }> {
  const tg = buildTrainGraph(model, {
    batch,
    params,
    loss: opts.loss ?? (opts.labelSmoothing ? defaultLoss(opts.labelSmoothing) : undefined),
    frozenBatchNorm: opts.frozenBatchNorm,
    dropoutSeed: seed,
  });
  const runner = await StepRunner.create(tg, model, batch, dims);
  if (!opts.extraFeeds && runner.extraInputs().length) {
    throw new ReproError(
      `the loss declares inputs ${runner.extraInputs().join(', ')} but no extraFeeds were given to fill them`,
    );
  }
  return { tg, runner };
}

/** The optimizer updates the model's own weight arrays in place (no copies to sync back); gradients arrive per step. */
function paramSlots(model: Graph, params: string[], masks: Record<string, Uint8Array>): Param[] {
  return params.map((name) => ({
    name,
    data: model.initializers.get(name)!.data as Float32Array,
    grad: new Float32Array(0),
    mask: masks[name],
  }));
}

/** The trained copy of the model (masked weights zeroed), the parameters to train, the optimizer and the run key. */
function prepareModel(g: Graph, ds: Dataset, opts: TrainOptions) {
  const { epochs, seed = 0 } = opts;
  const model = g.clone();
  const params = selectParams(model, opts.params, opts.frozen);
  const masks = Object.fromEntries(Object.entries(opts.masks ?? {}).map(([k, m]) => [k, toByteMask(m)]));
  applyMasks(model, masks);
  const optimizer = resolveOptimizer(opts.optimizer);
  const batch = Math.min(opts.batchSize, ds.count);
  // Identifies the run in checkpoints: resuming requires the same values.
  const key: RunKey = { batchSize: batch, seed, epochs, optimizer: optimizer.kind, params };
  return { model, params, masks, optimizer, batch, key };
}

/** The learning-rate schedule: a given function as is, else one built for this run's step count. */
function resolveSchedule(opts: TrainOptions, stepsPerEpoch: number): Schedule {
  if (typeof opts.schedule === 'function') return opts.schedule;
  return makeSchedule({
    kind: opts.schedule ?? 'none',
    lr: opts.lr,
    totalSteps: opts.epochs * stepsPerEpoch,
    stepsPerEpoch,
    warmupSteps: Math.round((opts.warmupEpochs ?? 0) * stepsPerEpoch),
  });
}

/** Loads a checkpoint into `model` and `optimizer` after checking it was made by the same run settings and model. */
function resumeFrom(resumePath: string, model: Graph, optimizer: Optimizer, key: RunKey): ResumePoint {
  const ck = loadCheckpoint(resumePath);
  const k = ck.state.key;
  // A resumed run is only bit-identical to an uninterrupted one with the same batch, seed, epochs, optimizer, params.
  const diff = (Object.keys(key) as (keyof RunKey)[]).filter((f) => JSON.stringify(k[f]) !== JSON.stringify(key[f]));
  if (diff.length) {
    const show = (f: keyof RunKey) =>
      f === 'params' ? `${k.params.length} trained parameters` : `${f} ${String(k[f])} (now ${String(key[f])})`;
    throw new ReproError(
      `--resume ${resumePath}: the checkpoint was made with ${diff.map(show).join(', ')}; resume with the same settings`,
    );
  }
  for (const [name, t] of model.initializers) {
    const src = ck.model.initializers.get(name);
    if (!src || src.data.length !== t.data.length)
      throw new ReproError(
        `--resume ${resumePath}: initializer '${name}' is missing or has another shape; the checkpoint belongs to another model`,
      );
    (t.data as Float32Array).set(src.data as Float32Array);
  }
  optimizer.load(ck.state.optimizer);
  const { epochsDone: startEpoch, step, history, partial } = ck.state;
  return { startEpoch, step, history, partial };
}

/** Error for a non-finite loss or weight, pointing at the last checkpoint that is still good. */
function diverged(run: TrainRun, what: string): ReproError {
  const kept = run.lastGood
    ? `; the last good checkpoint is ${run.lastGood}`
    : run.opts.checkpoint
      ? '; no checkpoint was saved yet'
      : '';
  return new ReproError(
    `training diverged: ${what}; lower --lr, pass --clip-grad-norm (e.g. 1) or check the data${kept}`,
  );
}

/** An update can overflow after its loss was computed: never save or return such weights. */
function assertFinite(run: TrainRun, when: string): void {
  const broken = run.slots.find((s) => !s.data.every(Number.isFinite));
  if (broken) throw diverged(run, `parameter '${broken.name}' is not finite ${when}`);
}

/** Saves the model and the run state (after `epochsDone` epochs, plus `partial` steps of the next one). */
function save(run: TrainRun, epochsDone: number, partial?: TrainState['partial']): void {
  assertFinite(run, `after step ${run.step}`);
  saveCheckpoint(run.model, run.opts.checkpoint!.path, {
    version: 1,
    epochsDone,
    step: run.step,
    optimizer: run.optimizer.state(),
    history: run.history,
    key: run.key,
    partial,
  });
  run.lastGood = run.opts.checkpoint!.path;
}

/** One epoch: each full batch in seeded order (minus those a mid-epoch checkpoint already did), then the end. */
async function runEpoch(run: TrainRun, epoch: number, skip: TrainState['partial']): Promise<void> {
  const { opts, ds } = run;
  run.display.startEpoch(epoch, opts.epochs, run.stepsPerEpoch);
  const t0 = performance.now();
  const lr = run.schedule(run.step);
  // A checkpoint saved mid-epoch carries the epoch's counters so far: continue from them.
  const tally: EpochTally = skip
    ? { steps: skip.steps, lossSum: skip.lossSum, hits: skip.hits, seen: skip.seen, lr: skip.lr }
    : { steps: 0, lossSum: 0, hits: 0, seen: 0, lr };
  const seen0 = tally.seen;
  let batchIndex = 0;
  // Resuming mid-epoch replays the batch stream (same order and augmentation) up to where it stopped.
  for (const b of batches(ds, {
    batchSize: run.batch,
    shuffle: true,
    seed: run.key.seed,
    epoch,
    dropLast: true,
    augment: opts.augment,
    layout: run.layout,
  })) {
    if (batchIndex++ < (skip?.steps ?? 0)) continue;
    await trainStep(run, tally, epoch, b, t0);
  }
  await endEpoch(run, epoch, tally, t0, seen0);
}

/** One optimizer step on batch `b`: hooks, forward/backward, update, then the running tallies and progress. */
async function trainStep(run: TrainRun, tally: EpochTally, epoch: number, b: Batch, t0: number): Promise<void> {
  const { opts, slots } = run;
  const ctx: StepContext = { epoch, step: run.step, batch: b, model: run.model, params: slots };
  await opts.hooks?.beforeStep?.(ctx);
  const extra = typeof opts.extraFeeds === 'function' ? await opts.extraFeeds(ctx) : (opts.extraFeeds ?? {});
  const r = await run.runner.run(b.x, b.y, extra);
  if (!Number.isFinite(r.loss)) throw diverged(run, `loss is ${r.loss} at epoch ${epoch + 1}, step ${run.step + 1}`);
  for (const s of slots) s.grad = r.grads[s.name]!;
  await opts.hooks?.beforeUpdate?.({ ...ctx, loss: r.loss });
  if (opts.clipGradNorm !== undefined) clipGradNorm(slots, opts.clipGradNorm);
  tally.lr = run.schedule(run.step);
  run.optimizer.step(slots, tally.lr);
  run.step++;
  tally.steps++;
  tally.lossSum += r.loss * b.n;
  tally.hits += countHits(r.logits, b.y, run.numClasses);
  tally.seen += b.n;
  await opts.hooks?.afterStep?.({ ...ctx, loss: r.loss, lr: tally.lr });
  if (opts.onProgress || opts.progress) reportProgress(run, tally, epoch, t0);
  stopMidEpochIfAsked(run, tally, epoch);
}

/** Running loss/accuracy/throughput of the epoch so far, to the callback and the terminal display. */
function reportProgress(run: TrainRun, tally: EpochTally, epoch: number, t0: number): void {
  const p = {
    epoch,
    epochs: run.opts.epochs,
    step: tally.steps,
    stepsPerEpoch: run.stepsPerEpoch,
    loss: tally.lossSum / tally.seen,
    trainAcc: tally.hits / tally.seen,
    samplesPerSecond: tally.seen / ((performance.now() - t0) / 1000),
  };
  run.opts.onProgress?.(p);
  run.display.update(p);
}

/** On Ctrl-C with a checkpoint path, save the position inside the epoch and stop, so --resume can continue here. */
function stopMidEpochIfAsked(run: TrainRun, tally: EpochTally, epoch: number): void {
  const { checkpoint, epochs } = run.opts;
  if (!(stopRequested() && checkpoint && tally.steps < run.stepsPerEpoch)) return;
  const { steps, lossSum, hits, seen, lr } = tally;
  save(run, epoch, { steps, lossSum, hits, seen, lr });
  throw new Interrupted(
    `interrupted in epoch ${epoch + 1}/${epochs} after step ${steps}/${run.stepsPerEpoch}; saved checkpoint ${checkpoint.path}; continue with --resume ${checkpoint.path}`,
  );
}

/** End of an epoch: check the weights, record the stats (with test metrics), run the hook, checkpoint or stop. */
async function endEpoch(run: TrainRun, epoch: number, tally: EpochTally, t0: number, seen0: number): Promise<void> {
  const { opts, layout } = run;
  assertFinite(run, `after epoch ${epoch + 1}`);
  const stats: EpochStats = {
    epoch,
    loss: tally.lossSum / tally.seen,
    trainAcc: tally.hits / tally.seen,
    samplesPerSecond: (tally.seen - seen0) / ((performance.now() - t0) / 1000),
    lr: tally.lr,
  };
  if (opts.evalDs && run.evalRunner) {
    const ev = await run.evalRunner.run(opts.evalDs, opts.evalBatchSize ?? 500, layout);
    stats.testAcc = ev.accuracy;
    stats.testLoss = ev.loss;
    // Finite weights can still overflow in the forward pass: such a model must not be written as trained.
    if (!Number.isFinite(ev.loss)) throw diverged(run, `the test loss is ${ev.loss} after epoch ${epoch + 1}`);
  }
  run.history = [...run.history, stats];
  run.display.endEpoch(stats, opts.epochs);
  await opts.hooks?.afterEpoch?.({ epoch, stats, model: run.model, params: run.slots });
  const ck = opts.checkpoint;
  const stopping = stopRequested() && epoch + 1 < opts.epochs;
  if (ck && ((epoch + 1) % (ck.every ?? 1) === 0 || epoch + 1 === opts.epochs || stopping)) save(run, epoch + 1);
  if (ck && stopping)
    throw new Interrupted(
      `interrupted after epoch ${epoch + 1}/${opts.epochs}; saved checkpoint ${ck.path}; continue with --resume ${ck.path}`,
    );
}
