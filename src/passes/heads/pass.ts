/**
 * `heads` as a pass. The plan names every cut attention block by its output projection, the heads it keeps and, for
 * REAP, the projection's folded rows and bias (float64, base64), so replaying a plan needs no calibration data.
 */
import { take } from '../../data/dataset.js';
import { packF64, unpackF64 } from '../../util/pack.js';
import type { Pass, PlanHeader } from '../contract.js';
import { needData } from '../contract.js';
import { cutHeads, type HeadCut, headGrams, planHeads } from './prune-heads.js';
import { HEADS_SPEC, type HeadsOptions } from './spec.js';

export interface SavedHeadCut {
  block: string;
  heads: number;
  keep: number[];
  /** REAP: rows·cols of the folded projection rows, and the bias (base64 float64). */
  rows?: string;
  rowCount?: number;
  bias?: string;
  biasCount?: number;
}

export interface HeadsReport {
  /** [before, after] heads per block. */
  heads: Record<string, [number, number]>;
}

export interface HeadsPlan extends PlanHeader<HeadsOptions> {
  cuts: SavedHeadCut[];
  report: HeadsReport;
}

function saveCut(c: HeadCut): SavedHeadCut {
  const s: SavedHeadCut = { block: c.key, heads: c.heads, keep: [...c.keep] };
  if (c.projRows) Object.assign(s, { rows: packF64(c.projRows), rowCount: c.projRows.length });
  if (c.bias) Object.assign(s, { bias: packF64(c.bias), biasCount: c.bias.length });
  return s;
}

function loadCut(s: SavedHeadCut): HeadCut {
  const c: HeadCut = { key: s.block, heads: s.heads, keep: s.keep };
  if (s.rows) c.projRows = unpackF64(s.rows, s.rowCount ?? 0, `head plan rows of '${s.block}'`);
  if (s.bias) c.bias = unpackF64(s.bias, s.biasCount ?? 0, `head plan bias of '${s.block}'`);
  return c;
}

export const headsPass: Pass<HeadsOptions, HeadsPlan, HeadsReport> = {
  ...HEADS_SPEC,
  async plan(g, o, ctx) {
    const ds = o.criterion === 'reap' ? needData(ctx, '--criterion reap', 'calibration') : undefined;
    const grams = ds
      ? await headGrams(g, take(ds, Math.min(ds.count, o.calib)), {
          samples: o.calib,
          positions: o.positions,
          seed: o.seed,
        })
      : undefined;
    const cuts = planHeads(g, { method: o.criterion, ratio: o.ratio, ...(grams ? { grams } : {}) });
    const heads = Object.fromEntries(cuts.map((c) => [c.key, [c.heads, c.keep.length] as [number, number]]));
    return { pass: 'heads', version: 1, options: o, cuts: cuts.map(saveCut), report: { heads } };
  },
  apply(g, plan) {
    return { graph: cutHeads(g, plan.cuts.map(loadCut)), report: plan.report };
  },
};
