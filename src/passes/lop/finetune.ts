/**
 * Fine-tuning a pruned network in one of four modes with identical schedules (METHODS.md §3):
 * vanilla, vanilla + SP-KD, LOP (expand, train, merge), LOP + SP-KD. SP-KD's teacher (the dense network) runs
 * forward on every batch; its features at the chosen layers feed the student's training graph as inputs.
 */
import type { Dataset } from '../../data/dataset.js';
import type { Graph, Node } from '../../ir/graph.js';
import { inferShapes } from '../../ir/shape/index.js';
import { f32, type Tensor } from '../../ir/tensor.js';
import { withOutputs } from '../../runtime/capture.js';
import { compile } from '../../runtime/session.js';
import {
  addCrossEntropy,
  addSpKdLoss,
  trainModel,
  weightedSum,
  type TrainOptions,
  type TrainResult,
} from '../../train/index.js';
import { ReproError } from '../../util/errors.js';
import { assertSameArchitecture } from './architecture.js';
import { LOP_SUFFIX, lopExpand, type ExpandReport } from './expand.js';
import { lopMerge } from './merge.js';
import { type SpGammaChoice, spGammaFromLosses } from './sp-gamma.js';
import { DEFAULT_SP_GAMMA, LOP_DEFAULT_RATE } from './spec.js';

export interface LopFinetuneOptions extends Omit<TrainOptions, 'loss' | 'extraFeeds'> {
  lop: boolean;
  /** Expansion rate r (default 4). */
  expand?: number;
  /** Dense teacher for SP-KD; without it no distillation. */
  teacher?: Graph;
  /** γ of L = CE + γ·Σ L_SP (default DEFAULT_SP_GAMMA, unless `spShare` is given). */
  spGamma?: number;
  /** Instead of a fixed γ: γ such that γ·SP₀ = share·CE₀ on the first training samples (sp-gamma.ts). */
  spShare?: number;
  /** Node names whose outputs are distilled (default: every pooling node and the input of the last layer). */
  spLayers?: string[];
}

export interface LopFinetuneResult extends TrainResult {
  mode: FinetuneMode;
  expandReport?: ExpandReport;
  spLayers: string[];
  /** SP-KD's γ as used, and how it was chosen (absent without a teacher). */
  sp?: { gamma: number; rule: 'fixed' } | (SpGammaChoice & { rule: 'share' });
}

/** The four fine-tuning modes compared by `reprune bench lop`. */
export const FINETUNE_MODES = ['vanilla', 'vanilla+spkd', 'lop', 'lop+spkd'] as const;
export type FinetuneMode = (typeof FINETUNE_MODES)[number];

export function finetuneMode(lop: boolean, spkd: boolean): FinetuneMode {
  return lop ? (spkd ? 'lop+spkd' : 'lop') : spkd ? 'vanilla+spkd' : 'vanilla';
}

const POOLS = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool']);

/** Default SP-KD layers: outputs of pooling nodes (stage ends) and of the node feeding the classifier. */
export function defaultSpLayers(g: Graph): string[] {
  const names = g.nodes.filter((n) => POOLS.has(n.opType)).map((n) => n.name);
  const { producer } = g.index();
  const last = producer.get(g.outputs[0]!.name);
  const feed = last ? producer.get(last.inputs[0] ?? '') : undefined;
  if (feed && !names.includes(feed.name) && feed.opType !== 'Flatten') names.push(feed.name);
  return names;
}

/** A node by name; in an expanded student a layer's output comes from its last (`.lop_reduce`) part. */
function nodeNamed(g: Graph, name: string, role: string): Node {
  const n = g.nodes.find((x) => x.name === name) ?? g.nodes.find((x) => x.name === name + LOP_SUFFIX.last);
  if (!n)
    throw new ReproError(
      `--sp-layers: ${role} has no node named '${name}'; choose nodes present in both teacher and student`,
    );
  return n;
}

export async function lopFinetune(pruned: Graph, ds: Dataset, o: LopFinetuneOptions): Promise<LopFinetuneResult> {
  const expanded = o.lop
    ? await lopExpand(pruned, { rate: o.expand ?? LOP_DEFAULT_RATE, seed: o.seed ?? 0 })
    : undefined;
  const student = expanded?.graph ?? pruned;
  const expandReport = expanded && { expanded: expanded.expanded, skipped: expanded.skipped };
  const teacher = o.teacher;
  const spLayers = teacher ? (o.spLayers ?? defaultSpLayers(pruned)) : [];
  let res: TrainResult;
  let sp: LopFinetuneResult['sp'];
  if (teacher && spLayers.length === 0)
    throw new ReproError('--teacher: no layers to distill were found; name them with --sp-layers');
  if (!teacher) {
    res = await trainModel(student, ds, { ...o });
  } else {
    const pairs = spLayers.map((name) => ({
      student: nodeNamed(student, name, 'the student').outputs[0]!,
      teacher: nodeNamed(teacher, name, 'the teacher').outputs[0]!,
    }));
    const shaped = teacher.clone(true);
    inferShapes(shaped, { batch: Math.min(o.batchSize, ds.count) });
    const teacherDims = pairs.map((p) => shaped.valueInfo.get(p.teacher)!.shape as number[]);
    const runner = await compile(
      withOutputs(
        teacher,
        pairs.map((p) => p.teacher),
      ),
    );
    const feedName = (i: number) => `spkd.teacher${i}`;
    sp = await chooseSpGamma(pruned, teacher, ds, spLayers, o);
    const gamma = sp.gamma;
    res = await trainModel(student, ds, {
      ...o,
      loss: (ctx) =>
        weightedSum(ctx.g, [
          { value: addCrossEntropy(ctx.g, ctx.logits, ctx.labels) },
          {
            value: addSpKdLoss(
              ctx.g,
              pairs.map((p, i) => ({ student: p.student, teacher: feedName(i), teacherDims: teacherDims[i] })),
            ),
            weight: gamma,
          },
        ]),
      extraFeeds: async (ctx) => {
        const out = await runner.run(
          { [teacher.inputs[0]!.name]: f32(ctx.batch.dims, ctx.batch.x) },
          pairs.map((p) => p.teacher),
        );
        const feeds: Record<string, Tensor> = {};
        pairs.forEach((p, i) => {
          feeds[feedName(i)] = out[p.teacher]!;
        });
        return feeds;
      },
    });
  }
  if (o.lop) {
    res = { ...res, graph: (await lopMerge(res.graph)).graph };
    assertSameArchitecture(pruned, res.graph, 'LOP merge');
  }
  return { ...res, mode: finetuneMode(o.lop, spLayers.length > 0), expandReport, spLayers, sp };
}

/** The share rule when `spShare` is given (on the pruned student: LOP's expansion computes the same function), else a fixed γ. */
async function chooseSpGamma(
  pruned: Graph,
  teacher: Graph,
  ds: Dataset,
  spLayers: string[],
  o: LopFinetuneOptions,
): Promise<NonNullable<LopFinetuneResult['sp']>> {
  if (o.spShare === undefined) return { gamma: o.spGamma ?? DEFAULT_SP_GAMMA, rule: 'fixed' };
  if (o.spGamma !== undefined) throw new ReproError('SP-KD: give a fixed γ (spGamma) or a share (spShare), not both');
  const pairs = spLayers.map((name) => ({
    student: nodeNamed(pruned, name, 'the student').outputs[0]!,
    teacher: nodeNamed(teacher, name, 'the teacher').outputs[0]!,
  }));
  return {
    ...(await spGammaFromLosses(pruned, teacher, ds, pairs, { share: o.spShare, batch: o.batchSize })),
    rule: 'share',
  };
}
