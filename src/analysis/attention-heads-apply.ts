/**
 * Removing attention heads from a matched block (attention-heads.ts finds them): q/k/v lose the heads' columns, the
 * output projection their rows, and every Reshape constant that spells H or H·d is rewritten.
 */
import type { Graph } from '../ir/graph.js';
import { i64vec, toNumbers, type Tensor } from '../ir/tensor.js';
import { ReproError } from '../util/errors.js';
import type { AttentionBlock } from './attention-heads.js';

/** Columns `idx` of a 2-D tensor (or entries of a 1-D bias), in that order. */
function keepColumns(t: Tensor, idx: number[]): Tensor {
  const src = t.data as Float32Array;
  if (t.dims.length === 1) return { dtype: t.dtype, dims: [idx.length], data: Float32Array.from(idx, (i) => src[i]!) };
  const [r, cols] = t.dims as [number, number];
  const data = new Float32Array(r * idx.length);
  for (let i = 0; i < r; i++) for (let k = 0; k < idx.length; k++) data[i * idx.length + k] = src[i * cols + idx[k]!]!;
  return { dtype: t.dtype, dims: [r, idx.length], data };
}

/** Rows `idx` of a 2-D tensor, in that order. */
function keepRows(t: Tensor, idx: number[]): Tensor {
  const src = t.data as Float32Array;
  const cols = t.dims[1]!;
  const data = new Float32Array(idx.length * cols);
  idx.forEach((i, k) => {
    data.set(src.subarray(i * cols, (i + 1) * cols), k * cols);
  });
  return { dtype: t.dtype, dims: [idx.length, cols], data };
}

/** Point a Reshape at a fresh shape initializer with `edit` applied (shared constants stay as they were). */
function rewriteShape(g: Graph, nodeName: string, edit: (s: number[]) => number[]): void {
  const n = g.nodes.find((x) => x.name === nodeName)!;
  const old = n.inputs[1]!;
  const s = edit(toNumbers(g.initializers.get(old)!));
  n.inputs[1] = g.addInitializer(`${old}.heads${s.join('_')}`, i64vec(s));
  if (!g.nodes.some((x) => x.inputs.includes(old))) g.initializers.delete(old); // no orphan constants
}

/**
 * Keep only heads `keep` (ascending or any order: a permutation reorders heads) of one block, in place on `g`
 * (callers pass a copy). Weights of q/k/v lose the other heads' columns, the projection their rows; Reshape
 * constants that spell H or H·d are rewritten. Stale value shapes inside the block are dropped.
 */
export function removeHeads(g: Graph, b: AttentionBlock, keep: readonly number[]): void {
  if (keep.length === 0 || new Set(keep).size !== keep.length || keep.some((h) => !(h >= 0 && h < b.heads)))
    throw new ReproError(
      `attention block '${b.key}': heads to keep must be distinct, in [0, ${b.heads}), at least one`,
    );
  const width = b.heads * b.headDim;
  const headCols = keep.flatMap((h) => Array.from({ length: b.headDim }, (_, j) => h * b.headDim + j));
  const done = new Set<string>();
  for (const p of [b.q, b.k, b.v]) {
    if (done.has(p.weight)) continue; // a fused qkv weight is cut once, for all three parts
    done.add(p.weight);
    if ((g.index().consumers.get(p.weight) ?? []).length > 1)
      throw new ReproError(`attention block '${b.key}': weight '${p.weight}' is shared; heads cannot be cut`);
    const cols = p.part === undefined ? headCols : [0, 1, 2].flatMap((k) => headCols.map((c) => k * width + c));
    g.initializers.set(p.weight, keepColumns(g.initializers.get(p.weight)!, cols));
    if (p.bias) g.initializers.set(p.bias, keepColumns(g.initializers.get(p.bias)!, cols));
  }
  g.initializers.set(b.proj.weight, keepRows(g.initializers.get(b.proj.weight)!, headCols));
  const H = keep.length;
  for (const r of new Set([b.q, b.k, b.v].map((p) => p.reshape)))
    rewriteShape(g, r, (s) => s.map((x, i) => (i === s.length - 2 && x === b.heads ? H : x)));
  rewriteShape(g, b.merge.reshape, (s) =>
    s.map((x, i) => (i === s.length - 1 && x === b.heads * b.headDim ? H * b.headDim : x)),
  );
  for (const v of blockValues(g, b)) g.valueInfo.delete(v);
}

/** Values from the q/k/v projections down to the output projection's input (their recorded shapes hold H). */
function blockValues(g: Graph, b: AttentionBlock): Set<string> {
  const { consumers } = g.index();
  const nodes = new Map(g.nodes.map((n) => [n.name, n] as const));
  const seen = new Set<string>();
  const stack = [b.q, b.k, b.v].map((p) => nodes.get(p.matmul)!.outputs[0]!);
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    for (const n of consumers.get(v) ?? []) if (n.name !== b.proj.matmul) stack.push(...n.outputs);
  }
  return seen;
}
