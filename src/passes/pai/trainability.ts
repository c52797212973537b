/**
 * The "trainability" score of our TEDEPR implementation (*ours*: the paper's criterion is not public).
 *
 * Definition (default, `variant: 'flow'`): data-weighted path flow, pruned iteratively.
 *   x̄ = mean over the probe batches of |x| (per input feature), rescaled to mean 1;
 *   R(θ, m) = Σ outputs of the network with every parameter replaced by |θ| ⊙ m, BatchNorm in inference mode,
 *             evaluated at the single input x̄;
 *   score  = |θ ⊙ ∂R/∂θ| (the total absolute signal carried by the paths through each entry);
 *   pruned over T rounds (default 20) with kept counts P · ρ^(t/T), re-scoring on the masked network each round.
 *   On a TEDEPR model the tensors are the TT cores (plus layers left dense), so a core entry's score is the flow
 *   through every dense weight it generates, through the chained contraction.
 *
 * Why. At 98–99.9 % sparsity the first thing that breaks trainability is signal propagation: layers (or, in a TT
 *   layer, boundary cores whose every entry fans out to M/m_1 · N/n_1 weights) lose so many entries that little
 *   signal or gradient passes, and training from scratch stalls. Path flow with iterative re-scoring (SynFlow)
 *   provably avoids layer collapse and, in our runs, keeps far more of the TT boundary cores than SNIP/GraSP do.
 *   SynFlow's all-ones input, however, treats every input feature alike: on MNIST about a fifth of the pixels are
 *   always 0, and SynFlow spends budget on paths that will never carry a signal. Weighting the input by the data's
 *   mean magnitude keeps the conservation property (and needs no labels), but spends the budget on paths that
 *   carry data. Iterative rounds make the score describe the sparse network that is actually trained.
 *
 * Alternative (`variant: 'isnip'`): iterative masked SNIP, |θ ⊙ ∇L(θ ⊙ m)| over 10 rounds, with a floor that
 *   reserves half a uniform share of every tensor (our first design; worse than 'flow' in the bench).
 */
import type { Masks, Scores } from './masks.js';
import { iterativePrune } from './iterative.js';
import { snipScores, type GradScoreContext } from './scores.js';
import { synflowScores } from './synflow.js';
import type { GradientProbe } from './probe.js';

export interface TrainabilityOptions {
  rounds?: number;
  /** Fraction of a uniform share every tensor keeps (default 0.5; 0 disables the floor). */
  floorShare?: number;
  variant?: 'flow' | 'isnip';
}

export async function trainabilityPrune(
  ctx: Omit<GradScoreContext, 'masks'>,
  keep: number,
  opts: TrainabilityOptions = {},
): Promise<{ masks: Masks; scores: Scores }> {
  const sizes = Object.fromEntries(ctx.params.map((p) => [p, ctx.model.initializers.get(p)!.data.length]));
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  if ((opts.variant ?? 'flow') === 'flow') return dataFlowPrune(ctx, keep, sizes, opts.rounds ?? 20);
  const share = opts.floorShare ?? 0.5;
  const floor = (k: number) =>
    Object.fromEntries(Object.entries(sizes).map(([p, n]) => [p, Math.min(n, Math.ceil(share * (k / total) * n))]));
  return iterativePrune(sizes, { rounds: opts.rounds ?? 10, keep, floor }, (masks) => snipScores({ ...ctx, masks }));
}

/** Mean |x| per input feature over the probe batches, scaled to mean 1. */
export function meanAbsInput(ctx: Omit<GradScoreContext, 'masks'>): Float32Array {
  const n = ctx.data.sampleDims.reduce((a, b) => a * b, 1);
  const acc = new Float64Array(n);
  let count = 0;
  for (const b of ctx.data.list) {
    for (let s = 0; s < b.n; s++) for (let i = 0; i < n; i++) acc[i] += Math.abs(b.x[s * n + i]!);
    count += b.n;
  }
  let mean = 0;
  for (const v of acc) mean += v / (count * n);
  return Float32Array.from(acc, (v) => v / count / Math.max(mean, 1e-30));
}

async function dataFlowPrune(
  ctx: Omit<GradScoreContext, 'masks'>,
  keep: number,
  sizes: Record<string, number>,
  rounds: number,
): Promise<{ masks: Masks; scores: Scores }> {
  const input = meanAbsInput(ctx);
  let probe: GradientProbe | undefined;
  return iterativePrune(sizes, { rounds, keep }, async (masks) => {
    const r = await synflowScores(ctx.model, ctx.params, masks, { input }, probe);
    probe = r.probe;
    return r.scores;
  });
}
