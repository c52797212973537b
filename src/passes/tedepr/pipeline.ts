/**
 * TEDEPR: (optional) tensor-train low-rank model → pruning-at-init score on its tensors (TT cores, plus layers left
 * dense) → mask with exactly the kept count → train from scratch with the mask fixed → evaluate.
 * With `ttRank` undefined the same pipeline is the dense pruning-at-init baseline.
 *
 * Sparsity is always measured against the DENSE model's prunable weights (Gemm/MatMul/Conv weights): the kept
 * count is round((1 − sparsity) · dense prunable weights), whether they are spent on dense weights or on TT
 * cores, so a dense and a TEDEPR run at the same sparsity have the same number of non-zero prunable weights
 * (unless the TT model has fewer entries than that in total; then nothing is pruned and `sparsity` reports the
 * higher sparsity actually reached).
 */
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import { buildModel } from '../../models/index.js';
import { evaluate } from '../../runtime/evaluate.js';
import { trainModel } from '../../train/trainer.js';
import type { OptimizerKind } from '../../train/optim/index.js';
import { ReproError } from '../../util/errors.js';
import { countKept, pruneAtInit, type Masks, type ScoreKind } from '../pai/index.js';
import { describeSpec, ttConvert, ttLayersOf } from '../tt/index.js';
import { nonzerosOf, prunableTensors, sizeOf, trainedTensors } from './accounting.js';

export interface TedeprOptions {
  arch: string;
  train: Dataset;
  test: Dataset;
  /** Fraction of the dense model's prunable weights that end up zero, in [0, 1). */
  sparsity: number;
  score: ScoreKind;
  /** TT bond rank, or 'auto' (see `autoRank`); undefined = dense baseline. */
  ttRank?: number | 'auto';
  /** With ttRank 'auto': the TT model gets ≈ this many times the kept count in core entries (default 2). */
  autoOverKeep?: number;
  ringRank?: number;
  ttCores?: number | 'auto';
  /** Fully connected TT layers: 'chain' (contract the input with the cores, default) or 'reconstruct' (rebuild W per step). */
  ttForm?: 'chain' | 'reconstruct';
  epochs: number;
  batchSize?: number;
  lr?: number;
  optimizer?: OptimizerKind;
  seed?: number;
  scope?: 'global' | 'layer';
  probeBatches?: number;
  rounds?: number;
  /** Evaluate on only the first N test samples. */
  testLimit?: number;
  progress?: boolean;
  log?: (line: string) => void;
}

export interface TedeprResult {
  graph: Graph;
  accuracy: number;
  /** 1 − non-zero prunable weights / dense prunable weights. */
  sparsity: number;
  /** Trainable parameters of the model as trained (TT: cores + biases + BN), zeros included. */
  params: number;
  /** Non-zero trainable parameters. */
  nonzeros: number;
  /** Non-zero prunable weights (dense weights / cores) and the dense model's prunable count. */
  prunableNonzeros: number;
  densePrunable: number;
  denseParams: number;
  /** Density of the mask over the model's own prunable tensors. */
  maskDensity: number;
  layers: string[];
  /** Rank used (after 'auto'), null for dense. */
  ttRank: number | null;
  trainSeconds: number;
  scoreSeconds: number;
  inferenceMsPerBatch: number;
  history: { epoch: number; loss: number; trainAcc: number }[];
}

export async function runTedepr(o: TedeprOptions): Promise<TedeprResult> {
  if (!(o.sparsity >= 0 && o.sparsity < 1)) throw new ReproError(`--sparsity ${o.sparsity}: must be in [0, 1), e.g. 0.99`);
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 0;
  const dense = buildModel(o.arch, { seed, numClasses: o.train.numClasses });
  const densePrunable = sizeOf(dense, prunableTensors(dense));
  const denseParams = sizeOf(dense, trainedTensors(dense));
  const model = dense.clone();
  let ttRank = o.ttRank;
  if (ttRank === 'auto') {
    ttRank = autoRank(dense, Math.round((1 - o.sparsity) * densePrunable) * (o.autoOverKeep ?? 2), o);
    log(`tt: auto rank ${ttRank}`);
  }
  if (ttRank !== undefined) {
    const layers = ttConvert(model, { rank: ttRank, ringRank: o.ringRank, cores: o.ttCores, init: 'random', seed, fcForm: o.ttForm });
    for (const l of layers) log(`tt: ${l.node} ${l.denseParams} → ${l.ttParams} params (${describeSpec(l.spec)})`);
  }
  const prunable = prunableTensors(model);
  const total = sizeOf(model, prunable);
  const keep = Math.min(total, Math.round((1 - o.sparsity) * densePrunable));
  let masks: Masks | undefined;
  const t0 = performance.now();
  if (keep < total) {
    const r = await pruneAtInit(model, {
      score: o.score, params: prunable, keep, scope: o.scope, data: o.train, seed, rounds: o.rounds, probeBatches: o.probeBatches,
    });
    masks = r.masks;
    if (countKept(masks) !== keep) throw new Error(`internal: mask keeps ${countKept(masks)} of ${keep}`);
  } else {
    log(`the model has ${total} prunable entries ≤ ${keep} allowed at sparsity ${o.sparsity}: nothing to prune`);
  }
  const scoreSeconds = (performance.now() - t0) / 1000;
  log(`${o.score}: keep ${keep} of ${total} prunable entries (dense model: ${densePrunable}) in ${scoreSeconds.toFixed(1)} s`);
  const params = trainedTensors(model);
  const t1 = performance.now();
  const res = await trainModel(model, o.train, {
    epochs: o.epochs, batchSize: o.batchSize ?? 128, lr: o.lr ?? 2e-3, optimizer: o.optimizer ?? 'adam', schedule: 'cosine',
    seed, masks, params, progress: o.progress,
  });
  const trainSeconds = (performance.now() - t1) / 1000;
  const g = res.graph;
  const ev = await evaluate(g, o.test, { batchSize: 500, limit: o.testLimit });
  const prunableNonzeros = nonzerosOf(g, prunable);
  const result: TedeprResult = {
    graph: g,
    accuracy: ev.accuracy,
    sparsity: 1 - prunableNonzeros / densePrunable,
    params: sizeOf(g, params),
    nonzeros: nonzerosOf(g, params),
    prunableNonzeros,
    densePrunable,
    denseParams,
    maskDensity: keep / total,
    ttRank: ttRank ?? null,
    layers: ttLayersOf(g).map((l) => `${l.node}: ${describeSpec(l.spec)}`),
    trainSeconds,
    scoreSeconds,
    inferenceMsPerBatch: ev.msPerBatch,
    history: res.history.map((h) => ({ epoch: h.epoch, loss: h.loss, trainAcc: h.trainAcc })),
  };
  g.metadata['reprune.tedepr'] = JSON.stringify({
    note: ttRank !== undefined
      ? 'TEDEPR model: TT layers (see reprune.tt), core entries pruned at init and trained with the mask fixed'
      : 'dense model pruned at init and trained with the mask fixed (TEDEPR baseline)',
    arch: o.arch, score: o.score, ttRank: ttRank ?? null, ringRank: o.ringRank ?? null, sparsity: result.sparsity,
    keep, epochs: o.epochs, seed,
  });
  return result;
}

/**
 * The smallest rank in 2..64 whose TT model has at least `target` prunable entries (so the mask keeps about
 * 1/overKeep of the cores), or the largest rank that still converts some layer.
 */
export function autoRank(dense: Graph, target: number, o: Pick<TedeprOptions, 'ringRank' | 'ttCores'>): number {
  let last = 2;
  for (let r = 2; r <= 64; r++) {
    const g = dense.clone(true);
    try {
      ttConvert(g, { rank: r, ringRank: o.ringRank, cores: o.ttCores, init: 'random' });
    } catch {
      break; // no layer gets smaller any more
    }
    last = r;
    if (sizeOf(g, prunableTensors(g)) >= target) return r;
  }
  return last;
}
