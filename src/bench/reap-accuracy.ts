/**
 * Accuracy part of `reprune bench reap`: trained zoo models pruned to MAC reductions of 30/50/70 % with
 * L1, NU and REAP with uniform ratios and with PRO's per-layer ratios (and, on residual nets, REAP / REAP+PRO
 * after SRN), no retraining unless
 * `finetuneEpochs` > 0; also the ORT latency of each pruned model vs the dense one.
 */
import { take } from '../data/dataset.js';
import { loadDataset } from '../data/sources.js';
import type { Graph } from '../ir/graph.js';
import { benchDataOf, trainedModel } from '../models/trained.js';
import { measureLatency } from '../report/latency.js';
import { modelMetrics } from '../analysis/metrics.js';
import { evaluate } from '../runtime/evaluate.js';
import { FINETUNE_RECIPE, recipeOptions } from '../train/recipes.js';
import { trainModel } from '../train/trainer.js';
import { groupGrams } from '../passes/cut/behaviours.js';
import { costModel, ratioForMacs } from '../passes/schedule/cost.js';
import { groupStatuses } from '../passes/cut/groups.js';
import { type PruneCriterion, isBehaviourMethod, pruneStructured } from '../passes/cut/prune.js';
import { serializeResiduals } from '../passes/srn/index.js';
import { runPro } from '../passes/schedule/pro.js';

export interface AccuracyOptions {
  archs: string[];
  reductions: number[];
  calib: number;
  evalLimit?: number;
  trainEpochs: number;
  /** Train on the first N samples only when a model must be trained (part of the cache key). */
  trainLimit?: number;
  proStep: number;
  /** Samples PRO's logit error is measured on (default: PRO's, `proSamplesFor` the model). */
  proSamples?: number;
  finetuneEpochs: number;
  finetuneLimit?: number;
  latency: boolean;
  /** Labels of the variants to run (default all of VARIANTS). */
  variants?: string[];
  cacheDir?: string;
  log: (s: string) => void;
}

export interface AccuracyRow {
  arch: string;
  data: string;
  method: string;
  target: number;
  macReduction: number;
  accuracy: number;
  finetuned?: number;
  speedup?: number;
  seconds: number;
  /** PRO rows: one uniform ratio beat the searched allocation on PRO's samples and was used. */
  proUsedUniform?: boolean;
}

interface Variant {
  label: string;
  method: PruneCriterion;
  pro: boolean;
  srn: boolean;
}

/** Every criterion with uniform ratios and with PRO (PRO is scheduling: it serves any criterion). */
export const VARIANTS: Variant[] = [
  { label: 'L1', method: 'l1', pro: false, srn: false },
  { label: 'L1+PRO', method: 'l1', pro: true, srn: false },
  { label: 'NU', method: 'nu', pro: false, srn: false },
  { label: 'NU+PRO', method: 'nu', pro: true, srn: false },
  { label: 'REAP', method: 'reap', pro: false, srn: false },
  { label: 'REAP+PRO', method: 'reap', pro: true, srn: false },
  { label: 'SRN+REAP', method: 'reap', pro: false, srn: true },
  { label: 'SRN+REAP+PRO', method: 'reap', pro: true, srn: true },
];

export async function runAccuracy(o: AccuracyOptions): Promise<{ rows: AccuracyRow[]; dense: Record<string, number> }> {
  const rows: AccuracyRow[] = [];
  const dense: Record<string, number> = {};
  for (const arch of o.archs) {
    const a = await denseSetup(o, arch);
    dense[arch] = a.accuracy;
    for (const v of VARIANTS.filter((x) => !o.variants || o.variants.includes(x.label))) {
      // SRN variants only make sense on models with residual connections to serialize.
      if (v.srn && !a.residual) continue;
      for (const target of o.reductions) rows.push(await variantRow(o, a, v, target));
    }
  }
  return { rows, dense };
}

/** One architecture's dense model with its metrics, data, SRN form and calibration Grams, shared by every variant. */
interface DenseSetup {
  arch: string;
  data: string;
  train: ReturnType<typeof loadDataset>;
  test: ReturnType<typeof loadDataset>;
  accuracy: number;
  macs: number;
  /** ORT latency of the dense model (0 without `latency`). */
  ms: number;
  residual: boolean;
  bases: { plain: Graph; srn: Graph };
  grams: { plain: Awaited<ReturnType<typeof groupGrams>>; srn: Awaited<ReturnType<typeof groupGrams>> | undefined };
}

/** Loads (or trains) the dense model of `arch`, measures it, and calibrates it (and its SRN form on residual nets). */
async function denseSetup(o: AccuracyOptions, arch: string): Promise<DenseSetup> {
  const data = benchDataOf(arch);
  const { graph: g, file } = await trainedModel(arch, {
    epochs: o.trainEpochs,
    limit: o.trainLimit,
    cacheDir: o.cacheDir,
    log: o.log,
  });
  const train = loadDataset(data, 'train');
  const test = o.evalLimit ? take(loadDataset(data, 'test'), o.evalLimit) : loadDataset(data, 'test');
  const accuracy = (await evaluate(g, test)).accuracy;
  const macs = modelMetrics(g).totals.macs;
  const ms = o.latency ? await measureLatency(g, { batch: 32, iters: 20 }) : 0;
  o.log(`${arch} (${file}): dense accuracy ${(100 * accuracy).toFixed(2)} %, ${macs} MACs`);
  const srnRes = serializeResiduals(g);
  const residual = srnRes.serialized.length > 0;
  const bases = { plain: g, srn: srnRes.graph };
  const grams = {
    plain: await groupGrams(g, train, { samples: o.calib }),
    srn: residual ? await groupGrams(srnRes.graph, train, { samples: o.calib }) : undefined,
  };
  return { arch, data, train, test, accuracy, macs, ms, residual, bases, grams };
}

/** Prunes with variant `v` to the MAC reduction `target`, then measures accuracy (and latency, fine-tuning). */
async function variantRow(o: AccuracyOptions, a: DenseSetup, v: Variant, target: number): Promise<AccuracyRow> {
  const base = v.srn ? a.bases.srn : a.bases.plain;
  const gr = v.srn ? a.grams.srn : a.grams.plain;
  const t0 = performance.now();
  const { graph: pruned, proUsedUniform } = await pruneToTarget(o, a, v, target, base, gr);
  const macs = modelMetrics(pruned).totals.macs;
  const accuracy = (await evaluate(pruned, a.test)).accuracy;
  const row: AccuracyRow = {
    arch: a.arch,
    data: a.data,
    method: v.label,
    target,
    macReduction: 1 - macs / a.macs,
    accuracy,
    seconds: (performance.now() - t0) / 1000,
    ...(v.pro ? { proUsedUniform } : {}),
  };
  if (o.latency) row.speedup = a.ms / (await measureLatency(pruned, { batch: 32, iters: 20 }));
  if (o.finetuneEpochs > 0) row.finetuned = await finetune(pruned, a.data, o);
  o.log(
    `${a.arch} ${v.label} @${Math.round(100 * target)}%: MACs −${(100 * row.macReduction).toFixed(1)} %, acc ${(100 * accuracy).toFixed(2)} %${row.finetuned !== undefined ? ` (fine-tuned ${(100 * row.finetuned).toFixed(2)} %)` : ''}${row.speedup ? `, ORT speedup ${row.speedup.toFixed(2)}×` : ''} [${row.seconds.toFixed(1)} s]`,
  );
  return row;
}

/**
 * The pruned graph at the MAC budget (1 − target) of the dense model: PRO searches per-group ratios; the other
 * variants use the one global ratio that meets the budget.
 */
async function pruneToTarget(
  o: AccuracyOptions,
  a: DenseSetup,
  v: Variant,
  target: number,
  base: Graph,
  gr: DenseSetup['grams']['srn'],
): Promise<{ graph: Graph; proUsedUniform?: boolean }> {
  let ratios: Record<string, number> | undefined;
  let ratio: number | undefined;
  let proUsedUniform: boolean | undefined;
  if (v.pro) {
    const pro = await runPro(base, a.train, {
      method: v.method,
      budget: 1 - target,
      grams: gr,
      step: o.proStep,
      evalSamples: o.proSamples,
      referenceCost: a.macs,
    });
    ratios = pro.ratios;
    proUsedUniform = pro.uniform;
  } else {
    const st = groupStatuses(base, { behaviour: isBehaviourMethod(v.method) });
    const cm = costModel(base, st);
    ratio = ratioForMacs(
      cm,
      st.filter((s) => !s.reason),
      ((1 - target) * a.macs) / cm.totalMacs,
    );
  }
  return { graph: pruneStructured(base, { method: v.method, ratio, ratios, grams: gr }).graph, proUsedUniform };
}

/**
 * Gradient-norm clip of the bench's fine-tuning, the same for every variant. SRN folds BatchNorm away, and a pruned
 * BN-free ResNet starts with gradient norms of ~17 (vs ~1 with BN): at the fine-tuning lr its loss blew up to NaN
 * within 10 steps; clipped at 1 it fell from 0.86 to ~0.2 in 30 steps (docs/bench/reap.notes.md).
 */
export const FINETUNE_CLIP = 1;

/** How the bench fine-tunes, in words, for its help text and its table (read from the constants it trains with). */
export const FINETUNE_SUMMARY = `${FINETUNE_RECIPE.optimizer.toUpperCase()} lr ${FINETUNE_RECIPE.lr}, gradient norm clipped at ${FINETUNE_CLIP}`;

/** The trainer options of the bench's fine-tune: the fine-tuning recipe, clipped, seed 0, one for every variant. */
export function benchFinetuneOptions(epochs: number) {
  return { ...recipeOptions({ epochs, seed: 0, clipGradNorm: FINETUNE_CLIP }, FINETUNE_RECIPE), progress: false };
}

async function finetune(g: Graph, data: string, o: AccuracyOptions): Promise<number> {
  const train = loadDataset(data, 'train', { limit: o.finetuneLimit });
  const test = o.evalLimit ? take(loadDataset(data, 'test'), o.evalLimit) : loadDataset(data, 'test');
  const res = await trainModel(g, train, benchFinetuneOptions(o.finetuneEpochs));
  return (await evaluate(res.graph, test)).accuracy;
}
