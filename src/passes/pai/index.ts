/**
 * Pruning at initialization: scores (random, magnitude, SNIP, GraSP, SynFlow, trainability) over any set of
 * float parameters, and exact top-k masks. `pruneAtInit` is the one-call entry point.
 */
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import { ReproError } from '../../util/errors.js';
import { topKMasks, type Masks, type Scores } from './masks.js';
import { probeBatches } from './probe.js';
import { graspScores, magnitudeScores, randomScores, snipScores, type GraspOptions } from './scores.js';
import { synflowPrune } from './synflow.js';
import { trainabilityPrune, type TrainabilityOptions } from './trainability.js';

export { topKMasks, countKept, shuffleMasks, totalSize, type Masks, type Scores, type TopKOptions } from './masks.js';
export { GradientProbe, probeBatches, sumOfOutputsLoss, type ProbeBatches } from './probe.js';
export {
  graspScores,
  hessianGradient,
  magnitudeScores,
  randomScores,
  snipScores,
  type GradScoreContext,
  type GraspOptions,
} from './scores.js';
export { synflowPrune, synflowScores, type SynflowOptions } from './synflow.js';
export { meanAbsInput, trainabilityPrune, type TrainabilityOptions } from './trainability.js';
export { iterativePrune, roundKeep } from './iterative.js';

export const SCORE_KINDS = ['random', 'magnitude', 'snip', 'grasp', 'synflow', 'trainability'] as const;
export type ScoreKind = (typeof SCORE_KINDS)[number];

export function isScoreKind(s: string): s is ScoreKind {
  return (SCORE_KINDS as readonly string[]).includes(s);
}

export interface PaiOptions {
  score: ScoreKind;
  /** Tensors to prune (dense weights and/or TT cores). */
  params: string[];
  /** Entries kept in total, exactly. */
  keep: number;
  scope?: 'global' | 'layer';
  /** Training data for the gradient scores (snip, grasp, trainability). */
  data?: Dataset;
  probeBatches?: number;
  probeBatchSize?: number;
  seed?: number;
  /** Rounds of the iterative scores (synflow default 100, trainability default 20). */
  rounds?: number;
  grasp?: GraspOptions;
  trainability?: Omit<TrainabilityOptions, 'rounds'>;
}

/** Masks (1 = keep) with exactly `keep` ones over `params`, chosen by the score at the model's current weights. */
export async function pruneAtInit(model: Graph, o: PaiOptions): Promise<{ masks: Masks; scores: Scores }> {
  const needsData = o.score === 'snip' || o.score === 'grasp' || o.score === 'trainability';
  if (needsData && !o.data) throw new ReproError(`--score ${o.score} needs training data (--data)`);
  const data = needsData
    ? probeBatches(model, o.data!, o.probeBatches ?? 4, o.probeBatchSize ?? 128, o.seed ?? 0)
    : undefined;
  const ctx = { model, params: o.params, data: data! };
  switch (o.score) {
    case 'synflow':
      return synflowPrune(model, o.params, o.keep, { rounds: o.rounds, scope: o.scope });
    case 'trainability':
      return trainabilityPrune(ctx, o.keep, { ...o.trainability, rounds: o.rounds });
    default: {
      const scores =
        o.score === 'random'
          ? randomScores(model, o.params, o.seed)
          : o.score === 'magnitude'
            ? magnitudeScores(model, o.params)
            : o.score === 'snip'
              ? await snipScores(ctx)
              : await graspScores(ctx, o.grasp);
      return { masks: topKMasks(scores, o.keep, { scope: o.scope }), scores };
    }
  }
}
