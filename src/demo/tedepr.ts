/**
 * Demo step: TEDEPR — the architecture as tensor-train layers (rank chosen so the cores hold about twice the
 * kept weights), core entries pruned at initialization to 99 % sparsity relative to the dense model's weights,
 * trained from scratch with the mask fixed.
 */
import { runPass } from '../api/passes.js';
import { buildModel } from '../models/index.js';
import type { TedeprReport } from '../passes/tedepr/pass.js';
import type { DemoStep } from './context.js';
import { inferenceMacs } from './macs.js';
import { measureMethod } from './measure.js';

export const tedeprStep: DemoStep = {
  name: 'TEDEPR',
  rows: [{ method: 'tedepr', label: 'TEDEPR (TT + prune at init)' }],
  async run(ctx) {
    const t = ctx.cfg.tedepr;
    // A fresh zoo model is already at its init: the pass need not re-initialise it.
    const fresh = buildModel(t.arch, { seed: 0, numClasses: ctx.train.numClasses });
    const run = await runPass(
      'tedepr',
      fresh,
      {
        sparsity: t.sparsity,
        score: t.score,
        ttRank: 'auto',
        ttForm: 'reconstruct',
        epochs: t.epochs,
        batch: 128,
        lr: 2e-3,
        optimizer: 'adam',
        seed: 0,
        reinit: false,
      },
      { data: ctx.train, progress: ctx.progress, log: (l) => ctx.log(`  ${l}`) },
    );
    const res = { graph: run.graph, ...(run.report as TedeprReport) };
    return [
      await measureMethod(ctx, {
        method: 'tedepr',
        label: `TEDEPR (TT + prune at init, ${t.arch})`,
        ownArchitecture: true,
        graph: res.graph,
        macs: inferenceMacs(res.graph),
        notes: `${t.arch} as TT layers (rank ${res.ttRank}), ${t.score} mask at ${(100 * t.sparsity).toFixed(1)} % sparsity of the dense weights, trained from scratch ${t.epochs} epoch(s) (its own architecture: compare with the dense ${t.arch}, not the dense lenet5); MACs as run by ORT (TT weights rebuilt once at load)`,
        extra: {
          ttRank: res.ttRank ?? 0,
          score: t.score,
          sparsityVsDense: res.sparsity,
          prunableNonzeros: res.prunableNonzeros,
          densePrunable: res.densePrunable,
          epochs: t.epochs,
        },
      }),
    ];
  },
};
