/**
 * Setting up one training run: the model copy with its masks, the optimizer, a resumed checkpoint, the compiled
 * training graph, the schedule and the evaluation runner, gathered in one `TrainRun` the loop (trainer.ts) advances.
 */
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { ReproError } from '../util/errors.js';
import { loadCheckpoint, type EpochStats, type RunKey, type TrainState } from './checkpoint.js';
import { makeOptimizer, makeSchedule, type Optimizer, type Param, type Schedule } from './optim/index.js';
import { applyMasks, selectParams, toByteMask } from './params.js';
import { ProgressDisplay } from './progress.js';
import { EvalRunner } from './eval-runner.js';
import { StepRunner } from './step-runner.js';
import { buildTrainGraph, defaultLoss, type TrainGraph } from './train-graph.js';
import type { TrainOptions } from './train-options.js';

/** The optimizer asked for: an instance as is, a kind or options built (default SGD with momentum 0.9). */
function resolveOptimizer(o: TrainOptions['optimizer']): Optimizer {
  if (o && typeof o === 'object' && 'step' in o) return o;
  if (o === undefined) return makeOptimizer({ kind: 'sgd', momentum: 0.9 });
  return makeOptimizer(typeof o === 'string' ? { kind: o, momentum: o === 'sgd' ? 0.9 : undefined } : o);
}

/** How samples enter the model: flat vectors (a 2-D input) or NCHW images; rejects a dataset of another shape. */
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

/** Where a resumed run picks up: the epoch/step counters, the history so far and a mid-epoch position, if any. */
interface ResumePoint {
  startEpoch: number;
  step: number;
  history: EpochStats[];
  partial: TrainState['partial'];
}

/** State shared by the phases of one run (epochs, steps, checkpoints); `step`, `history` and `lastGood` advance. */
export interface TrainRun extends ResumePoint {
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

/** Rejects epoch and batch counts that are not positive integers, before any work. */
export function checkSizes(opts: TrainOptions): void {
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
export async function prepareRun(g: Graph, ds: Dataset, opts: TrainOptions): Promise<TrainRun> {
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
