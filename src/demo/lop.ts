/**
 * Demo step: LOP + SP-KD fine-tuning of the L1-pruned model (from the L1 + PRO step; a uniform 50 % L1
 * pruning if that step failed). Each compact layer is expanded into three linear ones, trained with
 * cross-entropy plus similarity-preserving distillation from the dense model, then merged back: the
 * saved model has exactly the pruned architecture.
 */
import { take } from '../data/dataset.js';
import { runPass } from '../api/passes.js';
import { prune } from '../api/prune.js';
import type { FinetuneReport } from '../passes/finetune/pass.js';
import type { DemoStep } from './context.js';
import { measureMethod } from './measure.js';

export const lopStep: DemoStep = {
  name: 'LOP + SP-KD fine-tuning',
  rows: [{ method: 'lop', label: 'L1 + PRO, LOP + SP-KD fine-tuned' }],
  async run(ctx) {
    const { epochs, samples } = ctx.cfg.lop;
    const data = take(ctx.train, Math.min(samples, ctx.train.count));
    let pruned = ctx.shared.l1Pruned;
    let source = 'the L1 + PRO model';
    if (!pruned) {
      pruned = (await prune(ctx.dense, { method: 'l1', ratio: 0.5 })).graph;
      source = 'a uniform 50 % L1-pruned model (the L1 + PRO step failed)';
    }
    ctx.log(
      `  fine-tuning ${source}: LOP + SP-KD with the finetune defaults, ${epochs} epoch(s) on ${data.count} samples`,
    );
    // The pass's defaults (expansion rate, SP-KD's γ, learning rate): the demo runs what a user gets.
    const res = await runPass(
      'finetune',
      pruned,
      { lop: true, epochs, seed: 0 },
      { data, teacher: ctx.dense, progress: ctx.progress },
    );
    const rep = res.report as FinetuneReport;
    const expand = (res.plan.options as { expand: number }).expand;
    const spGamma = rep.sp?.gamma ?? Number.NaN;
    return [
      await measureMethod(ctx, {
        method: 'lop',
        label: 'L1 + PRO, LOP + SP-KD fine-tuned',
        graph: res.graph,
        notes: `${source}, expanded ×${expand}, ${epochs} epoch(s) on ${data.count} samples of CE + ${spGamma.toFixed(0)}·SP-KD from the dense model, merged back`,
        extra: {
          expand,
          epochs,
          spGamma,
          spLayers: (rep.spLayers ?? []).join(', '),
          expandedLayers: rep.expanded ?? 0,
        },
      }),
    ];
  },
};
