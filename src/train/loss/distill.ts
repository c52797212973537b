/**
 * Distillation losses. Teacher values (logits, features) are graph inputs fed every step, so the teacher
 * network never sits in the training graph and gets no gradient.
 */
import { A } from '../../ir/attrs.js';
import type { Graph } from '../../ir/graph.js';
import { ReproError } from '../../util/errors.js';
import { ensureInput, mulScalar, op, reduce, scalar, setShape, staticDims } from './ops.js';

/**
 * Hinton et al. KD: T² · mean_batch KL(softmax(t/T) ‖ softmax(s/T)).
 * `teacher` names a float input [B, K] (declared if missing).
 */
export function addKdLoss(g: Graph, studentLogits: string, teacher = 'teacher_logits', temperature = 4): string {
  if (!(temperature > 0)) throw new ReproError(`--kd-temperature ${temperature}: must be > 0`);
  const dims = staticDims(g, studentLogits);
  if (dims.length !== 2)
    throw new ReproError(`KD: logits '${studentLogits}' must be [batch, classes], got [${dims.join(', ')}]`);
  const b = dims[0]!;
  ensureInput(g, teacher, dims);
  const base = 'loss.kd';
  const inv = 1 / temperature;
  const ts = setShape(g, mulScalar(g, teacher, inv, base), dims);
  const ss = setShape(g, mulScalar(g, studentLogits, inv, base), dims);
  const pt = setShape(g, op(g, 'Softmax', [ts], { axis: A.int(1) }, base), dims);
  const logpt = setShape(g, op(g, 'LogSoftmax', [ts], { axis: A.int(1) }, base), dims);
  const logqs = setShape(g, op(g, 'LogSoftmax', [ss], { axis: A.int(1) }, base), dims);
  const diff = setShape(g, op(g, 'Sub', [logpt, logqs], {}, base), dims);
  const prod = setShape(g, op(g, 'Mul', [pt, diff], {}, base), dims);
  const total = setShape(g, reduce(g, 'ReduceSum', prod, undefined, false, base), []);
  return setShape(g, mulScalar(g, total, (temperature * temperature) / b, base), []);
}

/** Row-L2-normalized Gram matrix of F flattened to [B, d]: G = rownorm(F·Fᵀ). */
function normalizedGram(g: Graph, f: string, b: number, base: string): string {
  const dims = staticDims(g, f);
  const d = dims.slice(1).reduce((x, y) => x * y, 1);
  const flat = dims.length === 2 ? f : setShape(g, op(g, 'Flatten', [f], { axis: A.int(1) }, base), [b, d]);
  const gram = setShape(g, op(g, 'Gemm', [flat, flat], { transB: A.int(1) }, base), [b, b]);
  const sq = setShape(g, op(g, 'Mul', [gram, gram], {}, base), [b, b]);
  const rowSq = setShape(g, reduce(g, 'ReduceSum', sq, [1], true, base), [b, 1]);
  // ε keeps all-zero rows (e.g. a dead layer) finite, like F.normalize's eps.
  const norm = setShape(
    g,
    op(g, 'Sqrt', [op(g, 'Add', [rowSq, scalar(g, 1e-24, `${base}.eps`)], {}, base)], {}, base),
    [b, 1],
  );
  return setShape(g, op(g, 'Div', [gram, norm], {}, base), [b, b]);
}

export interface SpKdLayer {
  /** Student feature value [B, ...]. */
  student: string;
  /** Name of the graph input carrying the teacher's feature at the matching layer [B, ...'] (declared if missing). */
  teacher: string;
  /** Teacher feature dims (default: same as the student's). */
  teacherDims?: number[];
}

/**
 * Similarity-preserving KD (Tung & Mori 2019): Σ_layers ‖G_t − G_s‖²_F / b², G = rownorm(F·Fᵀ).
 * Channel counts may differ between teacher and student; only the batch size must match.
 */
export function addSpKdLoss(g: Graph, layers: readonly SpKdLayer[]): string {
  if (layers.length === 0) throw new ReproError('SP-KD: no layers given');
  const terms: string[] = [];
  for (const [i, l] of layers.entries()) {
    const sd = staticDims(g, l.student);
    const b = sd[0]!;
    const td = l.teacherDims ?? sd;
    if (td[0] !== b)
      throw new ReproError(`SP-KD: teacher feature '${l.teacher}' has batch ${td[0]}, student '${l.student}' has ${b}`);
    ensureInput(g, l.teacher, td);
    const base = `loss.spkd${i}`;
    const gs = normalizedGram(g, l.student, b, base);
    const gt = normalizedGram(g, l.teacher, b, base);
    const diff = setShape(g, op(g, 'Sub', [gt, gs], {}, base), [b, b]);
    const sq = setShape(g, op(g, 'Mul', [diff, diff], {}, base), [b, b]);
    const total = setShape(g, reduce(g, 'ReduceSum', sq, undefined, false, base), []);
    terms.push(setShape(g, mulScalar(g, total, 1 / (b * b), base), []));
  }
  return terms.length === 1 ? terms[0]! : addAll(g, terms);
}

function addAll(g: Graph, terms: string[]): string {
  let acc = terms[0]!;
  for (const t of terms.slice(1)) acc = setShape(g, op(g, 'Add', [acc, t], {}, 'loss.sum'), []);
  return acc;
}
