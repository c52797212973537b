/**
 * Attention heads as a prunable unit. Channel coupling (coupling.ts) stops at the Reshape that splits q/k/v into
 * heads: a single q column cannot be removed, because q·kᵀ mixes q and k column by column and the head count lives
 * in Reshape constants. A whole head can: drop its d columns of q, k and v (weights and biases), its d rows of the
 * output projection, and rewrite every Reshape constant that spells the head count. Nothing else changes (the
 * 1/√d scale stays, since d does).
 *
 * `attentionBlocks(g)` finds the pattern torch.onnx / HF exports write (opsets 13–17):
 *   q = Transpose(Reshape(MatMul(x, Wq) [+ bq], [.., H, d])) → [B, H, T, d]   (k → [B, H, d, T], v like q)
 *   ctx = MatMul(Softmax(MatMul(q, k) [·/÷ scale] [+ mask]), v)               → [B, H, T, d]
 *   out = MatMul(Reshape(Transpose(ctx) → [B, T, H, d], [.., H·d]), Wo) [+ bo]
 * The head and head-dim axes are followed through every Transpose on the way, so K's [0,2,3,1] or [0,2,1,3] then
 * [0,1,3,2] both match. A fused qkv projection (timm: one MatMul, Reshape [.., 3, H, d], Transpose, then Split +
 * Squeeze or three Gathers) matches too: each of q, k, v records its third of the fused columns (`part`).
 * The removal is in attention-heads-apply.ts: Reshape constants are rewritten per node (a fresh initializer), so
 * constants shared between blocks stay correct.
 */
import { attrInt, attrInts } from '../ir/attrs.js';
import type { Graph, Node } from '../ir/graph.js';
import { numel, toNumbers } from '../ir/tensor.js';

/** One of q, k, v: the projection and the Reshape that splits it into heads. */
export interface HeadProjection {
  matmul: string;
  /** [in, H·d] weight; head h owns columns [h·d, (h+1)·d). */
  weight: string;
  bias?: string;
  /** Reshape node splitting [.., H·d] into [.., H, d] and its shape initializer. */
  reshape: string;
  shape: string;
  /** Fused qkv (one MatMul, Reshape [.., 3, H, d]): which third of the weight's columns this is. */
  part?: number;
}

export interface AttentionBlock {
  /** Stable name: the output projection's MatMul node. */
  key: string;
  heads: number;
  headDim: number;
  q: HeadProjection;
  k: HeadProjection;
  v: HeadProjection;
  /** Reshape merging heads back into [.., H·d], and its shape initializer. */
  merge: { reshape: string; shape: string };
  /** Output projection: weight [H·d, out]; head h owns rows [h·d, (h+1)·d). */
  proj: { matmul: string; weight: string };
  /** The merged per-head outputs [B, T, H·d] the projection reads (REAP's behaviours). */
  value: string;
  softmax: string;
}

interface Ctx {
  g: Graph;
  producer: Map<string, Node>;
  consumers: Map<string, Node[]>;
}

function constOperand(c: Ctx, n: Node): { act: string; init?: string } | undefined {
  const [a, b] = n.inputs;
  if (c.g.initializers.has(b!)) return { act: a!, init: b! };
  if (c.g.initializers.has(a!)) return { act: b!, init: a! };
  return undefined;
}

function isScalarInit(c: Ctx, name: string | undefined): boolean {
  const t = name ? c.g.initializers.get(name) : undefined;
  return !!t && numel(t.dims) === 1;
}

function singleUse(c: Ctx, v: string): boolean {
  return (c.consumers.get(v) ?? []).length === 1 && !c.g.outputs.some((o) => o.name === v);
}

/** Where the head, head-dim and (fused qkv) part axes are in a value on the way from the split to the score MatMul. */
interface Axes {
  rank: number;
  head: number;
  dim: number;
  /** The q/k/v axis of a fused projection until Split/Gather picks one part. */
  part?: number;
  /** Which part (0 = first third of the fused columns) this path carries. */
  partIndex?: number;
}

function axisOf(a: number, rank: number): number {
  return a < 0 ? a + rank : a;
}

/** Remove axis `a` (Squeeze, Gather): later axes move down by one. */
function dropAxis(s: Axes, a: number): Axes {
  const down = (x: number) => (x > a ? x - 1 : x);
  return {
    rank: s.rank - 1,
    head: down(s.head),
    dim: down(s.dim),
    ...(s.partIndex !== undefined ? { partIndex: s.partIndex } : {}),
  };
}

/** The axes after one node of the chain (`out` = which of its outputs the chain follows), or undefined. */
function stepAxes(c: Ctx, n: Node, out: string, s: Axes): Axes | undefined {
  const constInts = (name: string | undefined) =>
    name && c.g.initializers.has(name) ? toNumbers(c.g.initializers.get(name)!) : undefined;
  switch (n.opType) {
    case 'Transpose': {
      const perm = attrInts(n.attrs, 'perm') ?? Array.from({ length: s.rank }, (_, i) => s.rank - 1 - i);
      const to = (a: number) => perm.indexOf(a);
      return { ...s, head: to(s.head), dim: to(s.dim), ...(s.part !== undefined ? { part: to(s.part) } : {}) };
    }
    case 'Mul':
    case 'Div':
      return s;
    case 'Split': {
      const sizes = constInts(n.inputs[1]) ?? attrInts(n.attrs, 'split');
      const ok = s.part === axisOf(attrInt(n.attrs, 'axis', 0), s.rank) && sizes?.every((x) => x === 1);
      return ok ? { ...s, partIndex: n.outputs.indexOf(out) } : undefined;
    }
    case 'Squeeze': {
      const axes = constInts(n.inputs[1]) ?? attrInts(n.attrs, 'axes');
      const ok = axes?.length === 1 && s.partIndex !== undefined && axisOf(axes[0]!, s.rank) === s.part;
      return ok ? dropAxis(s, s.part!) : undefined;
    }
    case 'Gather': {
      const idx = c.g.initializers.get(n.inputs[1] ?? '');
      if (idx?.dims.length !== 0 || s.part !== axisOf(attrInt(n.attrs, 'axis', 0), s.rank)) return undefined;
      return dropAxis({ ...s, partIndex: Number(idx.data[0]) }, s.part);
    }
  }
  return undefined;
}

/** The activation input a chain node passes on (Mul/Div by a scalar: the non-constant operand). */
function chainInput(c: Ctx, n: Node): string | undefined {
  if (n.opType === 'Mul' || n.opType === 'Div') {
    const op = constOperand(c, n);
    return op && isScalarInit(c, op.init) ? op.act : undefined;
  }
  return ['Transpose', 'Split', 'Squeeze', 'Gather'].includes(n.opType) ? n.inputs[0] : undefined;
}

/** One consumer, or (a fused qkv fanned out by Gather) only Gathers. */
function chainUse(c: Ctx, v: string): boolean {
  const users = c.consumers.get(v) ?? [];
  return singleUse(c, v) || (users.length > 1 && users.every((u) => u.opType === 'Gather'));
}

/**
 * Walk up from a q/k/v operand of the score or context MatMul to its projection, then follow the head and head-dim
 * axes down again (Reshape [.., H, d] → 2, 3; fused [.., 3, H, d] → part 2, head 3, dim 4) through Transposes, scalar
 * scales and the Split+Squeeze or Gather that picks q, k or v. `want` = final [head, dim] axes.
 */
function traceProjection(c: Ctx, from: string, want: [number, number]): HeadProjection | undefined {
  const chain: Array<{ n: Node; out: string }> = [];
  let v = from;
  let n = c.producer.get(v);
  while (n && n.opType !== 'Reshape') {
    const up = chainInput(c, n);
    if (!up || !chainUse(c, v)) return undefined;
    chain.unshift({ n, out: v });
    v = up;
    n = c.producer.get(v);
  }
  const shape = n && c.g.initializers.get(n.inputs[1] ?? '');
  if (!n || !shape || !chainUse(c, v)) return undefined;
  const rank = shape.dims[0];
  let axes: Axes | undefined =
    rank === 4 ? { rank, head: 2, dim: 3 } : rank === 5 ? { rank, part: 2, head: 3, dim: 4 } : undefined;
  for (const step of chain) if (axes) axes = stepAxes(c, step.n, step.out, axes);
  if (!axes || axes.part !== undefined || axes.head !== want[0] || axes.dim !== want[1]) return undefined;
  if (rank === 5 && axes.partIndex === undefined) return undefined;
  const proj = projectionOf(c, n);
  return proj && { ...proj, reshape: n.name, shape: n.inputs[1]!, ...(rank === 5 ? { part: axes.partIndex! } : {}) };
}

/** MatMul(x, W) [+ bias] feeding the head-split Reshape. */
function projectionOf(c: Ctx, reshape: Node): Pick<HeadProjection, 'matmul' | 'weight' | 'bias'> | undefined {
  let x = reshape.inputs[0]!;
  let bias: string | undefined;
  let m = c.producer.get(x);
  if (m?.opType === 'Add' && singleUse(c, x)) {
    const op = constOperand(c, m);
    if (!op?.init) return undefined;
    bias = op.init;
    x = op.act;
    m = c.producer.get(x);
  }
  if (m?.opType !== 'MatMul' || !singleUse(c, x) || c.g.initializers.get(m.inputs[1]!)?.dims.length !== 2) return;
  return { matmul: m.name, weight: m.inputs[1]!, ...(bias ? { bias } : {}) };
}

/** From the scores MatMul's output down to the Softmax: scalar scales and a head-broadcast mask may sit between. */
function scoresMatMul(c: Ctx, softmax: Node): Node | undefined {
  let v = softmax.inputs[0]!;
  let n = c.producer.get(v);
  while (n && n.opType !== 'MatMul') {
    if (!singleUse(c, v) || !['Mul', 'Div', 'Add', 'Sub'].includes(n.opType)) return undefined;
    const fromScores = c.g.initializers.has(n.inputs[0]!) ? 1 : 0;
    const other = n.inputs[1 - fromScores]!;
    if (!isScalarInit(c, other) && !broadcastsOverHeads(c, other)) return undefined;
    v = n.inputs[fromScores]!;
    n = c.producer.get(v);
  }
  return n && singleUse(c, v) ? n : undefined;
}

/** A mask operand [B|1, 1, T|1, T] (or of rank ≤ 2) is the same for every head, so removing heads keeps it valid. */
function broadcastsOverHeads(c: Ctx, v: string): boolean {
  const t = c.g.initializers.get(v);
  const shape = t ? t.dims : c.g.valueInfo.get(v)?.shape;
  if (!shape) return false;
  return shape.length <= 2 || shape[shape.length - 3] === 1;
}

/** Context [B, H, T, d] → Transpose → Reshape [.., H·d] → MatMul(Wo): the merge and the output projection. */
function traceMerge(c: Ctx, ctxValue: string): Pick<AttentionBlock, 'merge' | 'proj' | 'value'> | undefined {
  let v = ctxValue;
  let axes = [1, 3];
  let n = (c.consumers.get(v) ?? [])[0];
  while (n?.opType === 'Transpose' && singleUse(c, v)) {
    const perm = attrInts(n.attrs, 'perm') ?? [3, 2, 1, 0];
    axes = axes.map((a) => perm.indexOf(a));
    v = n.outputs[0]!;
    n = (c.consumers.get(v) ?? [])[0];
  }
  // Heads must sit just before the head dim, so merging them is a plain reshape of the last two axes.
  if (n?.opType !== 'Reshape' || !singleUse(c, v) || axes[1] !== 3 || axes[0] !== 2) return undefined;
  if (!c.g.initializers.has(n.inputs[1] ?? '')) return undefined;
  const value = n.outputs[0]!;
  const proj = (c.consumers.get(value) ?? [])[0];
  if (proj?.opType !== 'MatMul' || !singleUse(c, value) || proj.inputs[0] !== value) return undefined;
  if (c.g.initializers.get(proj.inputs[1]!)?.dims.length !== 2) return undefined;
  return {
    merge: { reshape: n.name, shape: n.inputs[1]! },
    proj: { matmul: proj.name, weight: proj.inputs[1]! },
    value,
  };
}

/** The attention block around one Softmax, or undefined when the pattern does not match exactly. */
function blockAt(c: Ctx, softmax: Node): AttentionBlock | undefined {
  const scores = scoresMatMul(c, softmax);
  const users = c.consumers.get(softmax.outputs[0]!) ?? [];
  const av = users[0];
  if (!scores || users.length !== 1 || av?.opType !== 'MatMul' || av.inputs[0] !== softmax.outputs[0]) return;
  const q = traceProjection(c, scores.inputs[0]!, [1, 3]);
  const k = traceProjection(c, scores.inputs[1]!, [1, 2]);
  const v = traceProjection(c, av.inputs[1]!, [1, 3]);
  const tail = traceMerge(c, av.outputs[0]!);
  if (!q || !k || !v || !tail) return undefined;
  const fused = [q, k, v].filter((p) => p.part !== undefined);
  // Either three separate projections, or one fused weight whose three parts are q, k and v.
  if (fused.length === 3 ? new Set(fused.map((p) => `${p.weight}#${p.part}`)).size !== 3 : fused.length !== 0) return;
  const split = toNumbers(c.g.initializers.get(q.shape)!);
  const width = c.g.initializers.get(q.weight)!.dims[1]! / (fused.length ? 3 : 1);
  const headDim = split.at(-1)! > 0 ? split.at(-1)! : width / split.at(-2)!;
  const heads = width / headDim;
  const dims = [q, k, v].map((p) => c.g.initializers.get(p.weight)!.dims[1]! / (p.part === undefined ? 1 : 3));
  if (!Number.isInteger(heads) || dims.some((d) => d !== width)) return undefined;
  if (c.g.initializers.get(tail.proj.weight)!.dims[0] !== width) return undefined;
  return { key: tail.proj.matmul, heads, headDim, q, k, v, ...tail, softmax: softmax.name };
}

/** Every attention block whose heads can be removed whole (see the file comment for the pattern). */
export function attentionBlocks(g: Graph): AttentionBlock[] {
  const { producer, consumers } = g.index();
  const c: Ctx = { g, producer, consumers };
  const out: AttentionBlock[] = [];
  for (const n of g.nodes) {
    if (n.opType !== 'Softmax') continue;
    const b = blockAt(c, n);
    if (b) out.push(b);
  }
  return out;
}
