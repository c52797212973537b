/**
 * Demo step: micro-structured weight unification and pruning (1×4 blocks by default) trained with ADMM from
 * the dense model, then hard-projected and retrained with the block structure fixed. The report row's
 * nonzeros count the pruned blocks; bits and multiplies (the method's own accounting) go to `extra`.
 */
import { take } from '../data/dataset.js';
import { runPass } from '../api/passes.js';
import type { UnifyReport } from '../passes/unify/pass.js';
import type { DemoStep } from './context.js';
import { measureMethod } from './measure.js';

export const unifyStep: DemoStep = {
  name: 'ADMM weight unification',
  rows: [{ method: 'unify-admm', label: 'ADMM unification + pruning' }],
  async run(ctx) {
    const u = ctx.cfg.unify;
    const data = take(ctx.train, Math.min(u.samples, ctx.train.count));
    const res = await runPass(
      'unify',
      ctx.dense,
      {
        block: u.block,
        unify: u.unify,
        prune: u.prune,
        scope: 'layer',
        mode: 'admm',
        admmRounds: u.admmRounds,
        epochsPerRound: u.epochsPerRound,
        retrainEpochs: u.retrainEpochs,
        rho: 1e-2,
        rhoGrowth: 2,
        lr: 0.01,
        batch: 128,
        seed: 0,
      },
      { data, progress: ctx.progress, log: (l) => ctx.log(`  ${l}`) },
    );
    const rep = res.report as UnifyReport;
    const a = rep.accounting;
    return [
      await measureMethod(ctx, {
        method: 'unify-admm',
        label: 'ADMM unification + pruning',
        graph: res.graph,
        notes: `${u.block} blocks: ${(100 * u.unify).toFixed(0)} % unified (sign · shared magnitude), ${(100 * u.prune).toFixed(0)} % pruned per layer; ${u.admmRounds} ADMM round(s) + ${u.retrainEpochs} retraining epoch(s) on ${data.count} samples; bits ${((100 * a.bits) / a.denseBits).toFixed(1)} % of dense`,
        extra: {
          block: u.block,
          unifiedBlocks: a.unifiedBlocks,
          prunedBlocks: a.prunedBlocks,
          blocks: a.blocks,
          bits: a.bits,
          denseBits: a.denseBits,
          multiplies: a.multiplies,
          denseMultiplies: a.denseMultiplies,
          epochs: rep.epochs,
        },
      }),
    ];
  },
};
