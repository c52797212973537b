/**
 * PRO — Pruning Ratio Optimizer (METHODS.md §2, procedure ours). Start from the unpruned model; each
 * round, every prunable group proposes one more step (~5 % of its channels, pruned with the layer-wise
 * method — REAP by default — on top of the current configuration); a proposal's score is the increase
 * of the logit error on calibration samples per MAC (or parameter) saved; the best one is committed,
 * until the budget is met. Scores are refreshed lazily: a popped proposal whose score predates the last
 * commit is re-measured and pushed back unless it is still the best, which keeps the number of model
 * evaluations near 2–3 per commit instead of one per group.
 */
import { type Dataset, take } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import type { Mat } from '../../linalg/index.js';
import { forEachBatch } from '../../runtime/capture.js';
import { ReproError } from '../../util/errors.js';
import { costModel } from '../structured/cost.js';
import { groupStatuses, keepCount } from '../structured/groups.js';
import { type PruneCriterion, pruneStructured } from '../structured/prune.js';
import type { Fold } from './types.js';

export interface ProOptions {
  method: PruneCriterion;
  /** Keep at most this fraction of the original MACs (or params, with budgetKind 'params'). */
  budget: number;
  budgetKind?: 'macs' | 'params';
  grams?: Map<string, Mat>;
  /** Cost the budget fraction is measured against (default: this model's own; e.g. the pre-SRN model's). */
  referenceCost?: number;
  /** Samples for the logit error (default 128). */
  evalSamples?: number;
  /** Step per proposal, as a fraction of the group's channels (default 0.05). */
  step?: number;
  /** Never prune a group below this fraction of its channels (default 0.05). */
  minKeep?: number;
  roundTo?: number;
  skip?: string[];
  seed?: number;
  log?: (s: string) => void;
}

export interface ProResult {
  /** Ratio per group key (fraction of channels removed). */
  ratios: Record<string, number>;
  kept: Record<string, number>;
  macs: number;
  params: number;
  evaluations: number;
  /** Logit MSE of the final configuration on the PRO samples. */
  logitError: number;
}

async function logits(g: Graph, ds: Dataset): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  const name = g.outputs[0]!.name;
  await forEachBatch(g, ds, [name], (o) => { out.push(o[name]!.data as Float32Array); }, { batchSize: 256 });
  return out;
}

export async function runPro(g: Graph, ds: Dataset, opts: ProOptions): Promise<ProResult> {
  if (!(opts.budget > 0 && opts.budget <= 1)) throw new ReproError(`--budget ${opts.budget}: must be a fraction in (0, 1] of the original cost`);
  const kind = opts.budgetKind ?? 'macs';
  const statuses = groupStatuses(g, { behaviour: opts.method === 'reap' || opts.method === 'nu', skip: opts.skip });
  const prunable = statuses.filter((s) => !s.reason);
  if (!prunable.length) throw new ReproError('PRO: no prunable channel group in this model');
  const cm = costModel(g, statuses);
  const cost = (k: Map<string, number>) => (kind === 'macs' ? cm.macs(k) : cm.params(k));
  const ref0 = opts.referenceCost ?? (kind === 'macs' ? cm.totalMacs : cm.totalParams);
  const target = opts.budget * ref0;
  const evalDs = take(ds, Math.min(ds.count, opts.evalSamples ?? 128));
  const ref = await logits(g, evalDs);
  let evaluations = 0;
  const planCache = new Map<string, Fold>();
  const kept = new Map(prunable.map((s) => [s.key, s.group.size]));
  const measure = async (k: Map<string, number>): Promise<number> => {
    evaluations++;
    const ratios = Object.fromEntries([...k].map(([key, v]) => [key, 1 - v / prunable.find((s) => s.key === key)!.group.size]));
    const pr = pruneStructured(g, { method: opts.method, ratios, grams: opts.grams, seed: opts.seed, skip: opts.skip, planCache });
    const out = await logits(pr.graph, evalDs);
    let e = 0, n = 0;
    out.forEach((b, i) => { const r = ref[i]!; for (let j = 0; j < b.length; j++) e += (b[j]! - r[j]!) ** 2; n += b.length; });
    return e / n;
  };
  const step = opts.step ?? 0.05, minKeep = opts.minKeep ?? 0.05, roundTo = opts.roundTo ?? 1;
  const nextCount = (key: string, size: number): number | undefined => {
    const cur = kept.get(key)!;
    let k = keepCount(size, 1 - (cur / size - step), roundTo);
    if (k >= cur) k = cur - Math.max(1, roundTo);
    return k >= Math.max(1, Math.ceil(minKeep * size)) ? k : undefined;
  };
  let curErr = 0;
  let version = 0;
  // Proposal per group: score (Δerror / Δcost) measured at `version`.
  const props = new Map<string, { score: number; version: number; count: number; err: number }>();
  const propose = async (key: string, size: number) => {
    let count = nextCount(key, size);
    if (count === undefined) { props.delete(key); return; }
    // Last step: take only as much as the budget needs (keeps big layers from overshooting it).
    const cur = kept.get(key)!;
    while (count + 1 < cur && cost(new Map(kept).set(key, count + 1)) <= target) count++;
    const trial = new Map(kept).set(key, count);
    const saved = cost(kept) - cost(trial);
    const err = await measure(trial);
    props.set(key, { score: saved > 0 ? (err - curErr) / saved : Infinity, version, count, err });
  };
  for (const s of prunable) await propose(s.key, s.group.size);
  while (cost(kept) > target && props.size) {
    const sorted = [...props].sort((a, b) => a[1].score - b[1].score);
    const [key, p] = sorted[0]!;
    const size = prunable.find((s) => s.key === key)!.group.size;
    if (p.version !== version) {
      await propose(key, size);
      const fresh = props.get(key);
      if (!fresh || (sorted.length > 1 && fresh.score > sorted[1]![1].score)) continue;
    }
    const chosen = props.get(key)!;
    kept.set(key, chosen.count);
    curErr = chosen.err;
    version++;
    opts.log?.(`PRO: ${key} → ${chosen.count}/${size} channels, ${kind} ${(cost(kept) / ref0 * 100).toFixed(1)}%, logit MSE ${curErr.toExponential(3)}`);
    await propose(key, size);
  }
  if (cost(kept) > target) opts.log?.(`PRO: budget not reached (every group at its minimum); stopping at ${(cost(kept) / ref0 * 100).toFixed(1)}%`);
  const sizes = new Map(prunable.map((s) => [s.key, s.group.size]));
  return {
    ratios: Object.fromEntries([...kept].map(([k, v]) => [k, 1 - v / sizes.get(k)!])),
    kept: Object.fromEntries(kept),
    macs: cm.macs(kept), params: cm.params(kept), evaluations, logitError: curErr,
  };
}
