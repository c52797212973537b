/**
 * The compressed forms `reprune bench speed` times against a dense model: every method's output as the library
 * API or the pass registry produces it (channel pruning through `prune()`, tile pruning lowered by `tile-lower`,
 * N:M masks, unification, TEDEPR's tensor-train layers, fold-bn, SRN). Each variant carries the MACs it needs
 * (what its speedup is measured against) and, for rewrites that must not change the function, the model it must
 * equal (checked to 1e-5 relative by the bench).
 */
import { modelMetrics } from '../analysis/metrics.js';
import { type PruneResult, prune, type StructuredSummary } from '../api/prune.js';
import { reparam } from '../api/reparam.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { completeShapes } from '../runtime/shapes.js';
import { costModel, ratioForMacs } from '../passes/schedule/cost.js';
import { groupStatuses, ROUND_TO_AUTO } from '../passes/cut/groups.js';
import { foldBatchNorm } from '../passes/foldbn/index.js';
import { serializeResiduals } from '../passes/srn/index.js';
import { chooseFcForms } from '../passes/tt/choose-form.js';
import { ttConvert } from '../passes/tt/convert.js';
import { densify } from '../passes/tt/densify.js';
import { parseBlock } from '../passes/unify/blocks.js';
import { projectModel } from '../passes/unify/project-model.js';

/** What `prune()` rounds channel counts to when not told (the channels pass's default: by width). */
const ROUND_TO_DEFAULT = ROUND_TO_AUTO;

/** Method families the bench knows (`--methods`). */
export const SPEED_METHODS = ['fold-bn', 'srn', 'l1', 'reap', 'round', 'tile', 'nm', 'unify', 'tt'] as const;
export type SpeedMethod = (typeof SPEED_METHODS)[number];

export interface SpeedVariant {
  /** Row label, e.g. 'L1 −50 %', 'SRN+REAP −70 %', 'tile 128x1 75 % lowered'. */
  label: string;
  method: SpeedMethod;
  /** MAC reduction asked for (channel pruning) or sparsity (tile), when the method has one. */
  target?: number;
  graph: Graph;
  /** MACs per sample the variant needs (nonzero-weight MACs for masks; block multiplies for unification). */
  macs?: number;
  /** The model this one must compute exactly (a rewrite): the dense model, or the masked one it was lowered from. */
  equals?: Graph;
  /** What a reader must know about the row (BN folded after pruning, a mask ORT cannot exploit, ...). */
  note?: string;
}

export interface VariantOptions {
  methods: readonly SpeedMethod[];
  /** MAC reductions for channel pruning, e.g. [0.3, 0.5, 0.7]. */
  targets: number[];
  /** Tile sparsities, e.g. [0.5, 0.75]. */
  sparsities: number[];
  /** round-to values compared at a 50 % MAC reduction (L1). */
  roundTos: number[];
  /** Batch tile-lower times layers at for its lower-or-not decision (the measured tile variant). */
  measureBatch: number;
  /** Calibration images for REAP (random or real, any count ≥ 1). */
  calib: Dataset;
  log: (s: string) => void;
}

/** A variant that could not be built, with the one-line reason (shown in the table instead of a latency). */
export interface SkippedVariant {
  label: string;
  method: SpeedMethod;
  reason: string;
}

const pct = (x: number) => `${Math.round(100 * x)} %`;

/**
 * MACs per sample (nonzero-weight MACs when `effective`), undefined when some layer's shape stays unknown. Shapes
 * that static inference cannot give (ViT's reshapes after an op without a shape rule) are learned from ORT first.
 */
export async function macsOf(g: Graph, effective = false): Promise<number | undefined> {
  let t = modelMetrics(g).totals;
  if (!t.macsComplete) {
    const shaped = g.clone(true);
    await completeShapes(shaped);
    t = modelMetrics(shaped).totals;
  }
  if (!t.macsComplete) return undefined;
  return effective ? t.effectiveMacs : t.macs;
}

/** Every variant of `dense` the options ask for; one that fails is skipped with its reason, the rest go on. */
export async function buildVariants(
  dense: Graph,
  o: VariantOptions,
): Promise<{ variants: SpeedVariant[]; skipped: SkippedVariant[] }> {
  const variants: SpeedVariant[] = [];
  const skipped: SkippedVariant[] = [];
  const residual = serializeResiduals(dense).serialized.length > 0;
  if (!residual && o.methods.includes('srn'))
    skipped.push({ method: 'srn', label: 'SRN (+L1/REAP)', reason: 'no residual block SRN can serialize' });
  for (const [method, label, make] of variantMakers(dense, o, residual)) {
    if (!o.methods.includes(method)) continue;
    try {
      const v = await make();
      variants.push({ method, label, ...v });
      o.log(`  built ${label}`);
    } catch (e) {
      skipped.push({ method, label, reason: (e as Error).message.split('\n')[0]! });
      o.log(`  skipped ${label}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { variants, skipped };
}

type Made = Omit<SpeedVariant, 'method' | 'label'>;
type Maker = [SpeedMethod, string, () => Promise<Made> | Made];

/** The table of variants in row order: [method, label, builder]. */
function variantMakers(dense: Graph, o: VariantOptions, residual: boolean): Maker[] {
  const m: Maker[] = [['fold-bn', 'fold-bn', () => foldBnVariant(dense)]];
  if (residual) m.push(['srn', 'SRN', () => srnVariant(dense)]);
  for (const crit of ['l1', 'reap'] as const)
    for (const srn of residual ? [false, true] : [false])
      for (const t of o.targets)
        m.push([
          crit,
          `${srn ? 'SRN+' : ''}${crit.toUpperCase()} −${pct(t)} MACs`,
          () => channelVariant(dense, { criterion: crit, target: t, srn, roundTo: ROUND_TO_DEFAULT, calib: o.calib }),
        ]);
  // The L1 −50 % row uses the default (by width); round-to 1 (no rounding) is always compared with it.
  const plain = o.methods.includes('l1') && o.targets.includes(0.5);
  for (const r of [...new Set([1, ...o.roundTos])].filter((x) => !(plain && x === ROUND_TO_DEFAULT)))
    m.push([
      'round',
      `L1 −50 % MACs, round-to ${r === 0 ? 'by width' : r}`,
      () => channelVariant(dense, { criterion: 'l1', target: 0.5, srn: false, roundTo: r, calib: o.calib }),
    ]);
  for (const s of o.sparsities)
    m.push(['tile', `tile 128x1 ${pct(s)} lowered`, () => tileVariant(dense, { sparsity: s, tile: '128x1' })]);
  const top = Math.max(...o.sparsities);
  const mb = o.measureBatch;
  if (o.sparsities.length)
    m.push([
      'tile',
      `tile 128x1 ${pct(top)} lowered where faster (timed at batch ${mb})`,
      () => tileVariant(dense, { sparsity: top, tile: '128x1', measureBatch: mb }),
    ]);
  m.push(['nm', 'N:M 2:4 (masked)', () => tileVariant(dense, { pattern: '2:4' })]);
  m.push(['unify', 'unify 4x4 50 %+prune 30 % (masked)', () => unifyVariant(dense, false)]);
  m.push(['unify', 'unify 4x4 50 %+prune 30 %, FC lowered', () => unifyVariant(dense, true)]);
  m.push([
    'unify',
    `unify 4x4 50 %+prune 30 %, FC lowered where faster (timed at batch ${o.measureBatch})`,
    () => unifyVariant(dense, true, o.measureBatch),
  ]);
  m.push(['tt', 'TEDEPR TT rank 8', () => ttVariant(dense)]);
  m.push([
    'tt',
    `TEDEPR TT rank 8, FC form per layer by latency (timed at batch ${o.measureBatch})`,
    () => ttVariant(dense, o.measureBatch),
  ]);
  return m;
}

async function foldBnVariant(dense: Graph): Promise<Made> {
  const r = foldBatchNorm(dense);
  if (r.folded.length === 0) throw new Error('no BatchNormalization to fold (the export folded them already)');
  return { graph: r.graph, macs: await macsOf(r.graph), equals: dense, note: `${r.folded.length} BN folded` };
}

/** SRN alone: a rewrite (BN folded, shortcuts carried by identity channels) that must compute the dense function. */
async function srnVariant(dense: Graph): Promise<Made> {
  const r = serializeResiduals(dense);
  return {
    graph: r.graph,
    macs: await macsOf(r.graph),
    equals: dense,
    note: `${r.serialized.length} blocks serialized`,
  };
}

/** BN nodes a pipeline left behind are folded (ORT fuses most of them anyway; this makes it certain). */
function foldLeftoverBn(g: Graph): { graph: Graph; folded: number } {
  if (!g.nodes.some((n) => n.opType === 'BatchNormalization')) return { graph: g, folded: 0 };
  const r = foldBatchNorm(g);
  return { graph: r.graph, folded: r.folded.length };
}

interface ChannelAsk {
  criterion: 'l1' | 'reap';
  /** MAC reduction of the dense model, e.g. 0.5. */
  target: number;
  srn: boolean;
  roundTo: number;
  calib: Dataset;
}

/**
 * Channel pruning through `prune()` with the one uniform ratio that removes `target` of the dense MACs (found on
 * the model the channels pass will see: the SRN form when `srn`), then leftover BN folded.
 */
export async function channelVariant(dense: Graph, a: ChannelAsk): Promise<Made> {
  const base = a.srn ? serializeResiduals(dense).graph : dense;
  const statuses = groupStatuses(base, { behaviour: a.criterion === 'reap' });
  const cm = costModel(base, statuses);
  const denseMacs = (await macsOf(dense)) ?? cm.totalMacs;
  const keep = ((1 - a.target) * denseMacs) / cm.totalMacs;
  const ratio = ratioForMacs(
    cm,
    statuses.filter((s) => !s.reason),
    keep,
    a.roundTo,
  );
  const r: PruneResult<StructuredSummary> = await prune(dense, {
    method: a.criterion,
    ratio,
    srn: a.srn,
    roundTo: a.roundTo,
    data: a.calib,
    calib: a.calib.count,
  });
  const f = foldLeftoverBn(r.graph);
  const notes = [`ratio ${ratio.toFixed(3)}`];
  if (f.folded) notes.push(`${f.folded} BN folded after pruning`);
  return { target: a.target, graph: f.graph, macs: await macsOf(f.graph), note: notes.join('; ') };
}

/** Tile (or N:M) pruning through `prune()`; tiles are lowered and must equal the masked model they came from. */
async function tileVariant(
  dense: Graph,
  a: { sparsity?: number; tile?: string; pattern?: string; measureBatch?: number },
): Promise<Made> {
  const { measureBatch, ...mask } = a;
  const masked = await prune(dense, { method: 'tile', ...mask });
  const macs = await macsOf(masked.graph, true);
  if (a.pattern) return { graph: masked.graph, macs, note: 'zeros only: stock ORT has no N:M kernel on CPU' };
  const lowered = await prune(dense, { method: 'tile', ...mask, lower: true, measureBatch });
  const layers = lowered.summary.lowered ?? [];
  const note = `${layers.length} layers lowered${layers.length ? ` (${layers.reduce((s, l) => s + l.kernels, 0)} kernels)` : ''}`;
  return { target: a.sparsity, graph: lowered.graph, macs, equals: masked.graph, note };
}

/**
 * Block unification by hard projection (4×4 blocks, 50 % unified, 30 % pruned, per layer) — the structure ADMM
 * ends with, without the training (timing does not depend on the weights' values). MACs: the block multiplies.
 * `lowered`: the fully connected layers rewritten by unify-lower (signed block sums × one magnitude), checked equal.
 */
async function unifyVariant(dense: Graph, lowered: boolean, measureBatch = 0): Promise<Made> {
  const { graph, accounting } = projectModel(dense, parseBlock('4x4'), { unify: 0.5, prune: 0.3, scope: 'layer' });
  const denseMacs = await macsOf(dense);
  const macs = denseMacs === undefined ? undefined : denseMacs - accounting.denseMultiplies + accounting.multiplies;
  if (!lowered)
    return { graph, macs, note: 'same dense ops: the saving needs a kernel that sums signed inputs per block' };
  const r = await reparam(graph, { transform: 'unify-lower', measureBatch });
  const n = (r.summary.layers as unknown[]).length;
  if (n === 0 && measureBatch > 0) return { graph, macs, note: 'no FC layer was faster lowered: all kept dense' };
  if (n === 0) throw new Error('no fully connected layer to lower (unify-lower covers Gemm/MatMul)');
  return { graph: r.graph, macs, equals: graph, note: `${n} FC layers lowered; convs stay masked` };
}

/**
 * TEDEPR's tensor-train layers (random cores at rank 8; timing does not depend on training). Equals its densified
 * form. With `formBatch`, each fully connected layer is a chain or a rebuilt W, whichever ran faster alone at it.
 */
async function ttVariant(dense: Graph, formBatch?: number): Promise<Made> {
  const opts = { rank: 8, init: 'random' as const, seed: 0 };
  const choices = formBatch ? await chooseFcForms(dense, opts, formBatch) : [];
  const fcForms = Object.fromEntries(choices.map((c) => [c.node, c.form]));
  const r = ttConvert(dense, { ...opts, fcForms });
  const back = densify(r.graph);
  const fc = r.layers.filter((l) => l.form === 'chain').length;
  return {
    graph: r.graph,
    equals: back,
    note: `${r.layers.length} TT layers (${fc} chained, ${r.layers.length - fc} rebuild W per run); MACs not comparable`,
  };
}
