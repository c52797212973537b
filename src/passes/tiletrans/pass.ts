/**
 * `tiletrans` as a pass: the plan is the list of group permutations (by group key), exact and replayable. Plan and
 * apply both work on the model with shared initializers un-shared (an exporter's deduplicated tensors would fix
 * every group they touch), so the permuted model gives each former sharer its own copy. The copy the plan permuted
 * is handed to apply (keepBuilt/takeBuilt); a plan from a file permutes the model again.
 */
import { unshareInitializers } from '../../analysis/unshare.js';
import type { Pass, PlanHeader } from '../contract.js';
import { keepBuilt, needData, takeBuilt } from '../contract.js';
import { taylorGradients } from '../importance/taylor.js';
import { patternOf } from '../tile/pattern.js';
import { applyPermutations, type GroupPermutation, type TileTransReport, tileTrans } from './index.js';
import { TILETRANS_SPEC, type TileTransPassOptions } from './spec.js';

export interface TileTransPlan extends PlanHeader<TileTransPassOptions> {
  permutations: GroupPermutation[];
  report: TileTransReport;
}

export const tileTransPass: Pass<TileTransPassOptions, TileTransPlan, TileTransReport> = {
  ...TILETRANS_SPEC,
  async plan(g0, o, ctx) {
    const g = unshareInitializers(g0);
    const grads =
      o.importance === 'taylor'
        ? (
            await taylorGradients(g, needData(ctx, 'TileTrans with Taylor importance', 'training'), {
              samples: o.calib,
              seed: o.seed,
            })
          ).grads
        : undefined;
    const r = tileTrans(g, {
      mode: o.mode,
      importance: o.importance,
      pattern: patternOf(o.pattern, o.tile),
      sparsity: o.sparsity,
      scope: o.scope,
      skip: o.skip,
      grads,
      log: ctx.log,
    });
    const plan: TileTransPlan = {
      pass: 'tiletrans',
      version: 1,
      options: o,
      permutations: r.permutations,
      report: r.report,
    };
    // The search permuted a copy as it went: that copy is the applied model (a whole model's time and memory saved).
    keepBuilt(plan, g0, r.graph);
    return plan;
  },
  apply(g, plan) {
    const graph = takeBuilt(plan, g) ?? applyPermutations(unshareInitializers(g), plan.permutations);
    return { graph, report: plan.report };
  },
};
