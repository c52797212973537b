/**
 * TEDEPR on any model: fresh weights → (optional) tensor-train low-rank layers → pruning-at-init score on its
 * tensors (TT cores, plus layers left dense) → mask with exactly the kept count → train from scratch with the mask
 * fixed → evaluate. `planTedepr` makes every decision (rank, masks); `trainTedepr` rebuilds the same TT model from
 * the seed, applies the masks and trains — so a saved plan replays without scoring again.
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
import { evaluate } from '../../runtime/evaluate.js';
import { reinitialize } from '../../train/init.js';
import { trainModel } from '../../train/trainer.js';
import type { OptimizerKind } from '../../train/optim/index.js';
import { ReproError } from '../../util/errors.js';
import { countKept, pruneAtInit, shuffleMasks, type Masks, type ScoreKind } from '../pai/index.js';
import {
  chooseFcForms,
  describeSpec,
  type FormChoice,
  type TtConvertOptions,
  type TtForm,
  ttConvert,
  ttLayersOf,
} from '../tt/index.js';
import { nonzerosOf, prunableTensors, sizeOf, trainedTensors } from './accounting.js';

export interface TedeprOptions {
  /** Fraction of the dense model's prunable weights that end up zero, in [0, 1). */
  sparsity: number;
  score: ScoreKind;
  /** TT bond rank, or 'auto' (see `autoRank`); undefined = dense baseline. */
  ttRank?: number | 'auto';
  /** With ttRank 'auto': the TT model gets ≈ this many times the kept count in core entries (default 2). */
  autoOverKeep?: number;
  ringRank?: number;
  ttCores?: number | 'auto';
  /**
   * Fully connected TT layers: 'chain' (contract the input with the cores, default), 'reconstruct' (rebuild W per
   * step) or 'auto' (per layer, whichever ONNX Runtime runs faster at `ttFormBatch`; choose-form.ts).
   */
  ttForm?: TtForm | 'auto';
  /** With ttForm 'auto': the batch the two forms are timed at (default 1). */
  ttFormBatch?: number;
  epochs: number;
  batchSize?: number;
  lr?: number;
  optimizer?: OptimizerKind;
  seed?: number;
  scope?: 'global' | 'layer';
  probeBatches?: number;
  rounds?: number;
  /** Re-initialise the model's weights from `seed` first (default true: TEDEPR trains from scratch). */
  reinit?: boolean;
  /** The random-shuffle control: each layer's mask shuffled at random after scoring (same per-layer density). */
  shuffle?: boolean;
  /** A label recorded in the model's metadata (the zoo architecture's name, when it is one). */
  arch?: string;
  progress?: boolean;
  log?: (line: string) => void;
}

export interface TedeprResult {
  graph: Graph;
  /** Test accuracy (NaN without test data). */
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
  /** With ttForm 'auto': each fully connected TT layer's chain and reconstruct latencies and the form kept. */
  formChoices?: FormChoice[];
}

/** Every decision of a TEDEPR run: the rank and the exact masks (1 = keep) over the prunable tensors. */
export interface TedeprDecision {
  ttRank: number | null;
  keep: number;
  total: number;
  densePrunable: number;
  denseParams: number;
  masks: Masks | undefined;
  scoreSeconds: number;
  /** With ttForm 'auto': each fully connected TT layer's two latencies and the form kept. */
  formChoices?: FormChoice[];
}

/** How TEDEPR converts a model at `rank` (per-layer forms from a plan's `formChoices`, when it has them). */
function ttOptions(o: TedeprOptions, rank: number, choices?: FormChoice[]): TtConvertOptions {
  return {
    rank,
    ringRank: o.ringRank,
    cores: o.ttCores,
    init: 'random',
    seed: o.seed ?? 0,
    fcForm: o.ttForm === 'auto' ? 'chain' : o.ttForm,
    fcForms: choices && Object.fromEntries(choices.map((c) => [c.node, c.form])),
  };
}

/** The fresh dense model and its TT conversion (deterministic in the seed and the recorded forms, so plan and replay build the same one). */
function buildModels(
  g: Graph,
  o: TedeprOptions,
  rank: number | undefined,
  choices?: FormChoice[],
): { dense: Graph; model: Graph } {
  const seed = o.seed ?? 0;
  const dense = o.reinit === false ? g : reinitialize(g, seed);
  if (rank === undefined) return { dense, model: dense.clone() };
  const conv = ttConvert(dense, ttOptions(o, rank, choices));
  for (const l of conv.layers)
    o.log?.(`tt: ${l.node} ${l.denseParams} → ${l.ttParams} params (${describeSpec(l.spec)})`);
  return { dense, model: conv.graph };
}

function resolveRank(g: Graph, o: TedeprOptions): number | undefined {
  if (o.ttRank !== 'auto') return o.ttRank;
  const dense = o.reinit === false ? g : reinitialize(g, o.seed ?? 0);
  const r = autoRank(
    dense,
    Math.round((1 - o.sparsity) * sizeOf(dense, prunableTensors(dense))) * (o.autoOverKeep ?? 2),
    o,
  );
  o.log?.(`tt: auto rank ${r}`);
  return r;
}

export async function planTedepr(g: Graph, train: Dataset, o: TedeprOptions): Promise<TedeprDecision> {
  if (!(o.sparsity >= 0 && o.sparsity < 1))
    throw new ReproError(`--sparsity ${o.sparsity}: must be in [0, 1), e.g. 0.99`);
  const ttRank = resolveRank(g, o);
  // Timing needs no trained weights: the forms are chosen on the model as given (the TT cores are fresh anyway).
  const formChoices =
    ttRank !== undefined && o.ttForm === 'auto'
      ? await chooseFcForms(g, ttOptions(o, ttRank), o.ttFormBatch ?? 1)
      : undefined;
  for (const c of formChoices ?? [])
    o.log?.(
      `tt form: ${c.node} chain ${c.chainMs.toFixed(3)} ms, reconstruct ${c.reconstructMs.toFixed(3)} ms → ${c.form}`,
    );
  const { dense, model } = buildModels(g, o, ttRank, formChoices);
  const densePrunable = sizeOf(dense, prunableTensors(dense));
  const prunable = prunableTensors(model);
  const total = sizeOf(model, prunable);
  const keep = Math.min(total, Math.round((1 - o.sparsity) * densePrunable));
  let masks: Masks | undefined;
  const t0 = performance.now();
  if (keep < total) {
    const r = await pruneAtInit(model, {
      score: o.score,
      params: prunable,
      keep,
      scope: o.scope,
      data: train,
      seed: o.seed ?? 0,
      rounds: o.rounds,
      probeBatches: o.probeBatches,
    });
    masks = o.shuffle ? shuffleMasks(r.masks, (o.seed ?? 0) + 1) : r.masks;
    if (countKept(masks) !== keep) throw new Error(`internal: mask keeps ${countKept(masks)} of ${keep}`);
  } else {
    o.log?.(`the model has ${total} prunable entries ≤ ${keep} allowed at sparsity ${o.sparsity}: nothing to prune`);
  }
  const scoreSeconds = (performance.now() - t0) / 1000;
  o.log?.(
    `${o.score}${o.shuffle ? ' (shuffled per layer)' : ''}: keep ${keep} of ${total} prunable entries (dense model: ${densePrunable}) in ${scoreSeconds.toFixed(1)} s`,
  );
  return {
    ttRank: ttRank ?? null,
    keep,
    total,
    densePrunable,
    denseParams: sizeOf(dense, trainedTensors(dense)),
    masks,
    scoreSeconds,
    ...(formChoices ? { formChoices } : {}),
  };
}

export async function trainTedepr(
  g: Graph,
  d: TedeprDecision,
  train: Dataset,
  test: Dataset | undefined,
  o: TedeprOptions,
): Promise<TedeprResult> {
  const seed = o.seed ?? 0;
  const { model } = buildModels(g, { ...o, log: undefined }, d.ttRank ?? undefined, d.formChoices);
  const prunable = prunableTensors(model);
  const params = trainedTensors(model);
  const t1 = performance.now();
  const res = await trainModel(model, train, {
    epochs: o.epochs,
    batchSize: o.batchSize ?? 128,
    lr: o.lr ?? 2e-3,
    optimizer: o.optimizer ?? 'adam',
    schedule: 'cosine',
    seed,
    masks: d.masks,
    params,
    progress: o.progress,
  });
  const trainSeconds = (performance.now() - t1) / 1000;
  const out = res.graph;
  const ev = test ? await evaluate(out, test, { batchSize: 500 }) : undefined;
  const prunableNonzeros = nonzerosOf(out, prunable);
  const result: TedeprResult = {
    graph: out,
    accuracy: ev?.accuracy ?? Number.NaN,
    sparsity: 1 - prunableNonzeros / d.densePrunable,
    params: sizeOf(out, params),
    nonzeros: nonzerosOf(out, params),
    prunableNonzeros,
    densePrunable: d.densePrunable,
    denseParams: d.denseParams,
    maskDensity: d.keep / d.total,
    ttRank: d.ttRank,
    layers: ttLayersOf(out).map((l) => `${l.node}: ${describeSpec(l.spec)}`),
    trainSeconds,
    scoreSeconds: d.scoreSeconds,
    inferenceMsPerBatch: ev?.msPerBatch ?? Number.NaN,
    history: res.history.map((h) => ({ epoch: h.epoch, loss: h.loss, trainAcc: h.trainAcc })),
    ...(d.formChoices ? { formChoices: d.formChoices } : {}),
  };
  out.metadata['reprune.tedepr'] = JSON.stringify({
    note:
      d.ttRank !== null
        ? 'TEDEPR model: TT layers (see reprune.tt), core entries pruned at init and trained with the mask fixed'
        : 'dense model pruned at init and trained with the mask fixed (TEDEPR baseline)',
    arch: o.arch ?? g.name,
    score: o.score,
    ttRank: d.ttRank,
    ringRank: o.ringRank ?? null,
    sparsity: result.sparsity,
    keep: d.keep,
    epochs: o.epochs,
    seed,
  });
  return result;
}

/** Plan and train in one call: TEDEPR on `g` (re-initialised unless `reinit: false`), evaluated on `test`. */
export async function runTedepr(
  g: Graph,
  train: Dataset,
  test: Dataset | undefined,
  o: TedeprOptions,
): Promise<TedeprResult> {
  return trainTedepr(g, await planTedepr(g, train, o), train, test, o);
}

/**
 * The smallest rank in 2..64 whose TT model has at least `target` prunable entries (so the mask keeps about
 * 1/overKeep of the cores), or the largest rank that still converts some layer.
 */
export function autoRank(dense: Graph, target: number, o: Pick<TedeprOptions, 'ringRank' | 'ttCores'>): number {
  let last = 2;
  for (let r = 2; r <= 64; r++) {
    let g: Graph;
    try {
      g = ttConvert(dense, { rank: r, ringRank: o.ringRank, cores: o.ttCores, init: 'random' }).graph;
    } catch {
      break; // no layer gets smaller any more
    }
    last = r;
    if (sizeOf(g, prunableTensors(g)) >= target) return r;
  }
  return last;
}
