/**
 * Micro-structured weight unification and pruning (METHODS.md §4), trained with ADMM or one-shot:
 * W-step = SGD on loss(W) + Σ ρ/2‖W − Z + U‖² (Z, U fed as graph inputs), Z = Π_S(W + U), U += W − Z,
 * ρ grows each round; then hard projection and retraining with the block structure held fixed.
 * One-shot projects the trained weights once and retrains with the structure fixed for the same total epochs; at
 * equal epochs it matched or beat every ADMM schedule tried (docs/bench/unify-schedule.md). Gradual (what the pass's
 * default `auto` runs from 60 % pruned blocks) re-projects before each of the first epochs onto a growing share of
 * the target, then retrains like one-shot.
 */
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import { inferShapes } from '../../ir/shape/index.js';
import { f32, type Tensor } from '../../ir/tensor.js';
import { evaluate } from '../../runtime/evaluate.js';
import { addCrossEntropy, addProximalPenalty, trainModel, weightedSum, type TrainOptions } from '../../train/index.js';
import { accountLayer, sumAccounting, type BlockAccounting } from './accounting.js';
import { applyBlockStates, type BlockShape } from './blocks.js';
import { enforceStructure, layerMatrix, scatterStored, unifyLayers, type UnifyLayer } from './layers.js';
import { projectLayersInPlace } from './project-model.js';
import { projectionStates, type UnifyTarget } from './projection.js';
import { UNIFY_LR_DEFAULT } from './spec.js';

export interface UnifyOptions extends UnifyTarget {
  block: BlockShape;
  /** 'oneshot' (default), 'gradual' or 'admm' (the unify pass resolves its 'auto' to one of them: resolveUnifyMode). */
  mode?: UnifyMode;
  admmRounds?: number;
  epochsPerRound?: number;
  /** Epochs of retraining with the structure fixed (after ADMM; the baseline gets all epochs here). */
  retrainEpochs?: number;
  rho?: number;
  rhoGrowth?: number;
  lr?: number;
  batchSize?: number;
  seed?: number;
  layers?: string[];
  evalDs?: Dataset;
  progress?: boolean;
  log?: (line: string) => void;
}

export type UnifyMode = 'admm' | 'oneshot' | 'gradual';

export interface AdmmRound {
  round: number;
  rho: number;
  loss: number;
  /** ‖W − Z‖ / ‖W‖ over all unified layers after the Z-step. */
  residual: number;
  accuracy?: number;
}

export interface UnifyResult {
  graph: Graph;
  rounds: AdmmRound[];
  accounting: BlockAccounting;
  perLayer: Record<string, BlockAccounting>;
  accuracy?: number;
  epochs: number;
}

export async function unifyModel(model: Graph, ds: Dataset, o: UnifyOptions): Promise<UnifyResult> {
  const mode = o.mode ?? 'oneshot';
  const rounds = o.admmRounds ?? 3,
    epr = o.epochsPerRound ?? 1,
    retrain = o.retrainEpochs ?? 1;
  let g = model.clone();
  const shaped = g.clone(true);
  inferShapes(shaped, { batch: 1 }); // conv output sizes, for multiply counts
  const layers = unifyLayers(shaped, o.block, o.layers);
  const train: Omit<TrainOptions, 'epochs'> = {
    batchSize: o.batchSize ?? 128,
    lr: o.lr ?? UNIFY_LR_DEFAULT,
    seed: o.seed ?? 0,
    progress: o.progress,
    optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 },
  };
  const history: AdmmRound[] = [];
  if (mode === 'admm') g = await admmRounds({ ds, o, layers, train }, g, rounds, epr, history);
  if (mode === 'gradual') g = await gradualRounds({ ds, o, layers, train }, g, rounds * epr);
  // Hard projection of the current weights, then retraining with the structure fixed.
  const { states: finalStates, signs } = projectLayersInPlace(g, layers, o);
  // One-shot retrains for every epoch; ADMM and gradual for the epochs after their own.
  const epochs = mode === 'oneshot' ? rounds * epr + retrain : retrain;
  if (epochs > 0) g = await retrainFixed({ ds, o, layers, train }, g, epochs, finalStates, signs);
  const perLayer: Record<string, BlockAccounting> = {};
  layers.forEach((l, i) => {
    perLayer[l.view.node.name] = accountLayer(l.grid, finalStates[i]!, l.positions);
  });
  g.metadata['reprune.unify'] = JSON.stringify({
    block: `${o.block.bh}x${o.block.bw}`,
    layers: Object.fromEntries(layers.map((l, i) => [l.view.weight, Array.from(finalStates[i]!)])),
  });
  const result: UnifyResult = {
    graph: g,
    rounds: history,
    accounting: sumAccounting(Object.values(perLayer)),
    perLayer,
    epochs: mode === 'oneshot' ? epochs : rounds * epr + retrain,
  };
  if (o.evalDs) result.accuracy = (await evaluate(g, o.evalDs)).accuracy;
  return result;
}

/** What the training phases share: the data, the options, the unified layers and the base training options. */
interface UnifyCtx {
  ds: Dataset;
  o: UnifyOptions;
  layers: UnifyLayer[];
  train: Omit<TrainOptions, 'epochs'>;
}

/** The ADMM rounds (W-step, Z-step, U-step, ρ growth); appends one entry per round to `history`, returns the model. */
async function admmRounds(c: UnifyCtx, g: Graph, rounds: number, epr: number, history: AdmmRound[]): Promise<Graph> {
  const { o, layers } = c;
  const log = o.log ?? (() => {});
  let rho = o.rho ?? 1e-3;
  // Z starts as the projection of the trained weights, U at zero.
  const zs = layers.map((l) => layerMatrix(g, l));
  const states = projectionStates(
    zs,
    layers.map((l) => l.grid),
    o,
  );
  zs.forEach((z, i) => {
    applyBlockStates(z, z, layers[i]!.grid, states[i]!);
  });
  const us = layers.map((l) => new Float32Array(l.grid.rows * l.grid.cols));
  for (let round = 1; round <= rounds; round++) {
    const r = await wStep(c, g, admmFeeds(g, layers, zs, us), rho, epr);
    g = r.graph;
    const entry: AdmmRound = {
      round,
      rho,
      loss: r.history.at(-1)!.loss,
      residual: zuStep(c, g, zs, us),
    };
    if (o.evalDs) entry.accuracy = (await evaluate(g, o.evalDs)).accuracy;
    history.push(entry);
    log(
      `ADMM round ${round}/${rounds}: rho=${rho.toExponential(2)} loss=${entry.loss.toFixed(4)} |W-Z|/|W|=${entry.residual.toExponential(3)}${entry.accuracy !== undefined ? ` accuracy=${(100 * entry.accuracy).toFixed(2)}%` : ''}`,
    );
    rho *= o.rhoGrowth ?? 1.5;
  }
  return g;
}

/** W-step: `epr` epochs of SGD on the cross-entropy plus each layer's proximal term ρ/2‖W − Z + U‖². */
async function wStep(c: UnifyCtx, g: Graph, feeds: Record<string, Tensor>, rho: number, epr: number) {
  const { layers } = c;
  return trainModel(g, c.ds, {
    ...c.train,
    epochs: epr,
    schedule: 'none',
    loss: (ctx) =>
      weightedSum(ctx.g, [
        { value: addCrossEntropy(ctx.g, ctx.logits, ctx.labels) },
        ...layers.map((l) => ({ value: addProximalPenalty(ctx.g, l.view.weight, rho).value })),
      ]),
    extraFeeds: feeds,
  });
}

/** Z-step Z = Π_S(W + U) and U-step U += W − Z (in GEMM view); returns ‖W − Z‖ / ‖W‖ over all layers. */
function zuStep({ o, layers }: UnifyCtx, g: Graph, zs: Float32Array[], us: Float32Array[]): number {
  const ws = layers.map((l) => layerMatrix(g, l));
  const wu = ws.map((w, i) => w.map((v, j) => v + us[i]![j]!));
  const states = projectionStates(
    wu,
    layers.map((l) => l.grid),
    o,
  );
  let num = 0,
    den = 0;
  ws.forEach((w, i) => {
    applyBlockStates(wu[i]!, zs[i]!, layers[i]!.grid, states[i]!);
    for (let j = 0; j < w.length; j++) {
      const d = w[j]! - zs[i]![j]!;
      us[i]![j]! += d;
      num += d * d;
      den += w[j]! * w[j]!;
    }
  });
  return Math.sqrt(num / Math.max(den, 1e-30));
}

/** Share of the target constrained in ramp epoch k of n (1-based): Zhu & Gupta's cubic ramp, short of 1. */
export function gradualShare(k: number, n: number): number {
  return 1 - (1 - k / (n + 1)) ** 3;
}

/**
 * Gradual unification: before each of `epochs` ramp epochs the weights are projected afresh onto a growing share
 * of the target (gradualShare) and trained one epoch with that structure held, at the constant base learning rate;
 * the full target follows (the caller's hard projection and cosine retraining). Measured (docs/bench/unify-gradual.md):
 * most of its gain over one-shot comes from re-projecting every epoch at a constant learning rate — the same
 * schedule with the full target from the first epoch scored 97.58 / 96.20 % on mlp at 0.2:0.7 / 0.1:0.85 where
 * the ramp scored 97.45 / 96.43 and one-shot 97.19 / 95.50.
 */
async function gradualRounds(c: UnifyCtx, g: Graph, epochs: number): Promise<Graph> {
  for (let k = 1; k <= epochs; k++) {
    const share = gradualShare(k, epochs);
    const { states, signs } = projectLayersInPlace(g, c.layers, {
      ...c.o,
      unify: c.o.unify * share,
      prune: c.o.prune * share,
    });
    c.o.log?.(`gradual unification ${k}/${epochs}: ${(100 * share).toFixed(0)} % of the target blocks constrained`);
    // A new data order each epoch, as one multi-epoch run would have (seed + k).
    const epoch = { ...c, train: { ...c.train, seed: (c.train.seed ?? 0) + k } };
    g = await retrainFixed(epoch, g, 1, states, signs, 'none');
  }
  return g;
}

/** Retraining with the block structure re-imposed after every step (and once more at the end). */
async function retrainFixed(
  { ds, layers, train }: UnifyCtx,
  g: Graph,
  epochs: number,
  finalStates: ReturnType<typeof projectionStates>,
  signs: Int8Array[],
  schedule: 'cosine' | 'none' = 'cosine',
): Promise<Graph> {
  const fix = (m: Graph) => {
    layers.forEach((l, i) => {
      enforceStructure(m.initializers.get(l.view.weight)!.data as Float32Array, l, finalStates[i]!, signs[i]!);
    });
  };
  const r = await trainModel(g, ds, {
    ...train,
    epochs,
    schedule,
    hooks: { afterStep: (ctx) => fix(ctx.model) },
  });
  fix(r.graph);
  return r.graph;
}

/** Z and U as storage-layout tensors, the graph inputs the proximal terms declare. */
function admmFeeds(g: Graph, layers: UnifyLayer[], zs: Float32Array[], us: Float32Array[]): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  layers.forEach((l, i) => {
    const dims = g.initializers.get(l.view.weight)!.dims;
    const n = zs[i]!.length;
    feeds[`${l.view.weight}.admm_z`] = f32(dims, scatterStored(zs[i]!, l, new Float32Array(n)));
    feeds[`${l.view.weight}.admm_u`] = f32(dims, scatterStored(us[i]!, l, new Float32Array(n)));
  });
  return feeds;
}
