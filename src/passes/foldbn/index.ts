/**
 * fold-bn: merge every inference-mode BatchNormalization into the Conv or Gemm that feeds it
 * (function-preserving): with s = γ/√(var+ε), W' = s·W per output channel and b' = s·(b − mean) + β.
 * A BN is folded only when its input comes from a Conv/Gemm with constant weight whose output nothing
 * else reads; other BNs are left as they are (and counted in `remaining`).
 */
import { attrFloat, attrInt } from '../../ir/attrs.js';
import type { Graph, Node } from '../../ir/graph.js';
import { f32, type Tensor } from '../../ir/tensor.js';

export interface FoldBnResult {
  graph: Graph;
  /** BN node names folded. */
  folded: string[];
  /** BN nodes left in the graph. */
  remaining: string[];
}

function constF32(g: Graph, name: string | undefined): Float32Array | undefined {
  const t = name ? g.initializers.get(name) : undefined;
  return t && t.dtype === 'float32' ? (t.data as Float32Array) : undefined;
}

/** Write a new tensor under a fresh name if other nodes share the initializer, else in place. */
function setOwned(g: Graph, node: Node, inputIdx: number, t: Tensor, refs: Map<string, number>): void {
  const old = node.inputs[inputIdx];
  if (old && (refs.get(old) ?? 0) <= 1) {
    g.initializers.set(old, t);
    return;
  }
  node.inputs[inputIdx] = g.addInitializer(`${node.name}.${inputIdx === 1 ? 'weight' : 'bias'}`, t);
}

/** Fold every foldable BN of a copy of `g0` (or only those named in `only`); the input is untouched. */
export function foldBatchNorm(g0: Graph, only?: string[]): FoldBnResult {
  const g = g0.clone(true);
  const wanted = only ? new Set(only) : undefined;
  const folded: string[] = [];
  const remaining: string[] = [];
  const index = g.index();
  // Reference counts decide whether a folded weight/bias can be rewritten in place or needs its own copy.
  const refs = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) refs.set(i, (refs.get(i) ?? 0) + 1);
  const drop = new Set<Node>();
  for (const bn of g.nodes) {
    if (bn.opType !== 'BatchNormalization') continue;
    const f = wanted && !wanted.has(bn.name) ? undefined : foldable(g, bn, index);
    if (!f) {
      remaining.push(bn.name);
      continue;
    }
    foldInto(g, bn, f, refs);
    drop.add(bn);
    folded.push(bn.name);
  }
  g.nodes = g.nodes.filter((n) => !drop.has(n));
  g.removeUnused();
  return { graph: g, folded, remaining };
}

/** A BN with constant float parameters and its producer (the Conv/Gemm to fold into). */
interface Foldable {
  prev: Node;
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  vr: Float32Array;
}

/**
 * The BN can be folded when it is in inference mode, has constant parameters, and its input is the only use of
 * a Conv/Gemm output (not a graph output) with a constant weight (Gemm: A not transposed).
 */
function foldable(g: Graph, bn: Node, { producer, consumers }: ReturnType<Graph['index']>): Foldable | undefined {
  const prev = producer.get(bn.inputs[0]!);
  const [gamma, beta, mean, vr] = [1, 2, 3, 4].map((i) => constF32(g, bn.inputs[i]));
  const ok =
    prev &&
    (prev.opType === 'Conv' || prev.opType === 'Gemm') &&
    bn.outputs.filter(Boolean).length === 1 &&
    (consumers.get(prev.outputs[0]!) ?? []).length === 1 &&
    !g.isGraphOutput(prev.outputs[0]!) &&
    gamma &&
    beta &&
    mean &&
    vr &&
    constF32(g, prev.inputs[1]) &&
    attrInt(bn.attrs, 'training_mode', 0) === 0 &&
    (prev.opType !== 'Gemm' || attrInt(prev.attrs, 'transA', 0) === 0);
  return ok ? { prev, gamma, beta, mean, vr } : undefined;
}

/** W' = s·W per output channel, b' = s·(b − mean) + β, s = γ/√(var+ε); the producer then outputs the BN's value. */
function foldInto(g: Graph, bn: Node, { prev, gamma, beta, mean, vr }: Foldable, refs: Map<string, number>): void {
  const eps = attrFloat(bn.attrs, 'epsilon', 1e-5);
  const C = gamma.length;
  const s = Float32Array.from(gamma, (gm, c) => gm / Math.sqrt(vr[c]! + eps));
  const wt = g.initializers.get(prev.inputs[1]!)!;
  const w = (wt.data as Float32Array).slice();
  // Output channels: Conv axis 0; Gemm rows (transB=1) or columns (transB=0).
  const colsOut = prev.opType === 'Gemm' && attrInt(prev.attrs, 'transB', 0) === 0;
  const per = w.length / C;
  for (let i = 0; i < w.length; i++) w[i] *= s[colsOut ? i % C : Math.floor(i / per)]!;
  setOwned(g, prev, 1, { ...wt, data: w }, refs);
  const betaAttr = prev.opType === 'Gemm' ? attrFloat(prev.attrs, 'beta', 1) : 1;
  const oldB = constF32(g, prev.inputs[2]);
  const b = new Float32Array(C);
  // Gemm adds beta·C, so the stored bias is divided by beta.
  for (let c = 0; c < C; c++)
    b[c] = (s[c]! * ((oldB ? oldB[oldB.length === C ? c : 0]! * betaAttr : 0) - mean[c]!) + beta[c]!) / betaAttr;
  while (prev.inputs.length < 3) prev.inputs.push('');
  setOwned(g, prev, 2, f32([C], b), refs);
  prev.outputs[0] = bn.outputs[0]!;
}
