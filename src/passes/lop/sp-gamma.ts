/**
 * SP-KD's weight from the losses it balances (`--sp-share`, opt-in). A fixed γ weighs a loss whose size depends on
 * the model, the layers distilled and how far the pruned student sits from its teacher. This rule sets
 * γ = share · CE₀ / SP₀, where CE₀ and SP₀ are the pruned student's cross-entropy and SP-KD loss on the first
 * training samples before any step: the distillation term starts at `share` times the cross-entropy. Measured, it is
 * not the default: at share 1 it lost to vanilla fine-tuning on resnet-small, whose single distilled layer makes SP₀
 * small and γ large, while the fixed γ = 300 won on all three models (docs/bench/lop-gamma-rule.md).
 */
import { take, type Dataset } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { forEachBatch } from '../../runtime/capture.js';
import { ReproError } from '../../util/errors.js';

/** Training samples the starting losses are averaged over. */
export const SP_SHARE_SAMPLES = 512;

export interface SpGammaChoice {
  gamma: number;
  share: number;
  /** Mean cross-entropy and SP-KD loss of the untrained student over `samples`. */
  ce: number;
  sp: number;
  samples: number;
}

/** Mean softmax cross-entropy of `logits` [n, k] against `labels`. */
export function meanCrossEntropy(logits: Float32Array, labels: Int32Array, n: number): number {
  const k = logits.length / n;
  let sum = 0;
  for (let r = 0; r < n; r++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) max = Math.max(max, logits[r * k + c]!);
    let z = 0;
    for (let c = 0; c < k; c++) z += Math.exp(logits[r * k + c]! - max);
    sum += max + Math.log(z) - logits[r * k + labels[r]!]!;
  }
  return sum / n;
}

/** Row-normalised Gram matrix of `f` viewed as [b, d] (float64), as the training graph's SP-KD builds it. */
function normalizedGram(f: Float32Array, b: number): Float64Array {
  const d = f.length / b;
  const g = new Float64Array(b * b);
  for (let i = 0; i < b; i++)
    for (let j = i; j < b; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += f[i * d + t]! * f[j * d + t]!;
      g[i * b + j] = s;
      g[j * b + i] = s;
    }
  for (let i = 0; i < b; i++) {
    let sq = 0;
    for (let j = 0; j < b; j++) sq += g[i * b + j]! ** 2;
    const norm = Math.sqrt(sq + 1e-24);
    for (let j = 0; j < b; j++) g[i * b + j]! /= norm;
  }
  return g;
}

/** One layer's SP-KD loss ‖G_t − G_s‖²_F / b² for a batch of b samples. */
export function spKdValue(student: Float32Array, teacher: Float32Array, b: number): number {
  const gs = normalizedGram(student, b);
  const gt = normalizedGram(teacher, b);
  let s = 0;
  for (let i = 0; i < gs.length; i++) s += (gt[i]! - gs[i]!) ** 2;
  return s / (b * b);
}

interface BatchValues {
  values: Record<string, Tensor>;
  labels: Int32Array;
}

/** The values `names` of every full batch of `ds` (batches of `batch`, in order) with the batch's labels. */
async function batchValues(g: Graph, ds: Dataset, names: string[], batch: number): Promise<BatchValues[]> {
  const out: BatchValues[] = [];
  const keep = (values: Record<string, Tensor>, n: number, info: { labels: Int32Array }) => {
    if (n === batch) out.push({ values, labels: info.labels });
  };
  await forEachBatch(g, ds, names, keep, { batchSize: batch, once: true });
  return out;
}

/**
 * γ = share · CE₀ / SP₀ for distilling `pairs` (student value, teacher value) of `student` from `teacher`, over
 * the first full training batches (SP-KD depends on the batch size, so the training batch is used).
 */
export async function spGammaFromLosses(
  student: Graph,
  teacher: Graph,
  ds: Dataset,
  pairs: ReadonlyArray<{ student: string; teacher: string }>,
  o: { share: number; batch: number; samples?: number },
): Promise<SpGammaChoice> {
  if (!(o.share > 0)) throw new ReproError(`--sp-share ${o.share}: must be > 0`);
  const batch = Math.min(o.batch, ds.count);
  const first = take(ds, Math.max(batch, Math.min(ds.count, o.samples ?? SP_SHARE_SAMPLES)));
  const logits = student.outputs[0]!.name;
  const s = await batchValues(student, first, [logits, ...pairs.map((p) => p.student)], batch);
  const t = await batchValues(
    teacher,
    first,
    pairs.map((p) => p.teacher),
    batch,
  );
  if (s.length === 0 || t.length !== s.length)
    throw new ReproError(
      `SP-KD's γ rule: the models did not run in batches of ${batch} (a fixed batch size in the ONNX input?); set γ with --sp-gamma`,
    );
  let ce = 0;
  let sp = 0;
  s.forEach(({ values, labels }, i) => {
    ce += meanCrossEntropy(values[logits]!.data as Float32Array, labels, batch);
    for (const p of pairs)
      sp += spKdValue(values[p.student]!.data as Float32Array, t[i]!.values[p.teacher]!.data as Float32Array, batch);
  });
  ce /= s.length;
  sp /= s.length;
  // A student identical to its teacher has nothing to distil yet: no finite ratio, so weigh SP-KD like CE.
  const gamma = sp > 0 ? (o.share * ce) / sp : o.share;
  return { gamma, share: o.share, ce, sp, samples: s.length * batch };
}
