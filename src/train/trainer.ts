/**
 * The training loop. One training graph per (model, batch size) is built and compiled once; every step feeds the
 * batch plus the model's own weight arrays (no copies), updates them in TypeScript and writes BatchNorm running
 * statistics back. The last partial batch of an epoch is dropped (a second graph for it would cost a compile
 * and shift BatchNorm statistics for little gain). Same seed ⇒ same result; a resumed run is bit-identical.
 */
import { batches, type Batch } from '../data/loader.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { ReproError } from '../util/errors.js';
import { Interrupted, onStopRequest, stopRequested } from '../util/signals.js';
import { saveCheckpoint, type EpochStats, type TrainState } from './checkpoint.js';
import { clipGradNorm } from './optim/index.js';
import { checkSizes, prepareRun, type TrainRun } from './train-setup.js';
import type { StepContext, TrainOptions, TrainResult } from './train-options.js';

export type { EpochStats } from './checkpoint.js';
export type { StepContext, TrainHooks, TrainOptions, TrainResult } from './train-options.js';

/** Top-1 hits of a batch's logits (`k` classes per row) against its labels. */
function countHits(logits: Float32Array, y: Int32Array, k: number): number {
  let hits = 0;
  for (let r = 0; r < y.length; r++) {
    let arg = 0;
    for (let c = 1; c < k; c++) if (logits[r * k + c]! > logits[r * k + arg]!) arg = c;
    if (arg === y[r]) hits++;
  }
  return hits;
}

/** Partial-epoch counters; also the shape a checkpoint saved mid-epoch stores (`TrainState['partial']`). */
type EpochTally = NonNullable<TrainState['partial']>;

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
