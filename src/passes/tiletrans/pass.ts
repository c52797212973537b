/**
 * `tiletrans` as a pass: the plan is the list of group permutations (by group key), exact and replayable. Plan and
 * apply both work on the model with shared initializers un-shared (an exporter's deduplicated tensors would fix
 * every group they touch), so the permuted model gives each former sharer its own copy.
 */
import { unshareInitializers } from '../../analysis/unshare.js';
import type { Pass, PlanHeader } from '../contract.js';
import { needData } from '../contract.js';
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
    return { pass: 'tiletrans', version: 1, options: o, permutations: r.permutations, report: r.report };
  },
  apply(g, plan) {
    return { graph: applyPermutations(unshareInitializers(g), plan.permutations), report: plan.report };
  },
};
