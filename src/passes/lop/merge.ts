import { A, attrFloat, attrInt, attrInts, attrString } from '../../ir/attrs.js';
import type { Graph, Node } from '../../ir/graph.js';
import { f32, type Tensor } from '../../ir/tensor.js';
import { composeAfter1x1, matmulF32, transposeF32 } from './compose.js';
import { progressLines } from '../../util/progress-lines.js';
import { LOP_SUFFIX } from './expand.js';

export interface MergeOptions {
  /** Merge only layers created by lopExpand (default true); false merges every mergeable linear pair. */
  onlyExpanded?: boolean;
  /**
   * Find the merges without multiplying the weights (they come back as zeros of the right shape): what a plan
   * needs to count them, at a fraction of the cost.
   */
  structureOnly?: boolean;
  /** Progress lines for long merges (a ViT-B stack expanded ×4: minutes). */
  log?: (line: string) => void;
}

/**
 * Merge chains of linear layers back into one layer, exactly: a 1×1 conv (stride 1, no pad, no bias) into the
 * conv after it, a 1×1 conv into the conv before it (folding biases), and Gemm/MatMul pairs. Applied pairwise
 * until nothing changes, so 1×1∘k×k∘1×1 and longer Gemm chains collapse. Names of expanded layers and weights
 * return to their originals. k×k∘k×k chains are not merged (zero padding between them makes it inexact). Works on a
 * copy: the input graph is untouched.
 */
export async function lopMerge(g0: Graph, opts: MergeOptions = {}): Promise<{ graph: Graph; merged: number }> {
  const g = g0.clone(true);
  const only = opts.onlyExpanded ?? true;
  let merged = 0;
  // Each expanded layer takes two merges (first∘middle, then ∘last); other chains are not counted ahead.
  const expected = 2 * g.nodes.filter((n) => n.name.endsWith(LOP_SUFFIX.middle)).length;
  const progress = progressLines(opts.structureOnly ? undefined : opts.log, 'lop-merge', expected);
  for (let changed = true; changed; ) {
    changed = false;
    const { consumers } = g.index();
    for (const b of g.nodes) {
      const src = b.inputs[0] ?? '';
      const prod = g.nodes.find((n) => n.outputs[0] === src);
      if (!prod || consumers.get(src)?.length !== 1 || g.isGraphOutput(src)) continue;
      if (only && !(isExpanded(prod) && isExpanded(b) && origin(prod) === origin(b))) continue;
      const [x, y] = cheaperPairFirst(g, prod, b, consumers);
      const compute = !opts.structureOnly;
      if ((await tryMergePair(g, x, y, compute)) || (x !== prod && (await tryMergePair(g, prod, b, compute)))) {
        merged++;
        if (merged <= expected) progress.step(merged, origin(b));
        changed = true;
        break;
      }
    }
  }
  restoreNames(g);
  return { graph: g, merged };
}

/**
 * For an expanded triple first → middle → last, the pair to merge first: like a matrix chain, (E1·M)·E3 and
 * E1·(M·E3) cost r·in·out·taps·(r·in + out) and r·in·out·taps·(r·out + in) multiply-adds, so a layer that widens
 * (in < out) merges first∘middle and one that narrows merges middle∘last (half the work of the other order for a
 * transformer's 3072 → 768 projection). Any other pair comes back as it was found.
 */
function cheaperPairFirst(g: Graph, first: Node, middle: Node, consumers: Map<string, Node[]>): [Node, Node] {
  const after = consumers.get(middle.outputs[0] ?? '');
  const last = after?.length === 1 ? after[0]! : undefined;
  if (!last || !middle.name.endsWith(LOP_SUFFIX.middle) || !last.name.endsWith(LOP_SUFFIX.last)) return [first, middle];
  if (!first.name.endsWith(LOP_SUFFIX.first) || origin(last) !== origin(middle)) return [first, middle];
  const [e1, m, e3] = [first, middle, last].map((n) => layerDims(g, n));
  if (!e1 || !m || !e3) return [first, middle];
  const firstPair = m.out * m.in * e1.in * m.taps + e3.out * m.out * e1.in * m.taps;
  const lastPair = e3.out * m.out * m.in * m.taps + e3.out * m.in * e1.in * m.taps;
  return lastPair < firstPair ? [middle, last] : [first, middle];
}

/** Output and input widths of a conv's or a linear layer's weight, and its kernel taps (1 for a matrix). */
function layerDims(g: Graph, n: Node): { out: number; in: number; taps: number } | undefined {
  const w = g.initializers.get(n.inputs[1] ?? '');
  if (!w) return undefined;
  if (n.opType === 'Conv' && w.dims.length === 4) {
    const [out, cin, kh, kw] = w.dims as [number, number, number, number];
    return { out, in: cin, taps: kh * kw };
  }
  const map = linearMap(g, n);
  return map && { out: map.outDim, in: map.inDim, taps: 1 };
}

function isExpanded(n: Node): boolean {
  return Object.values(LOP_SUFFIX).some((s) => n.name.endsWith(s));
}

/** The layer an expanded node came from. */
function origin(n: Node): string {
  for (const s of Object.values(LOP_SUFFIX)) if (n.name.endsWith(s)) return n.name.slice(0, -s.length);
  return n.name;
}

async function tryMergePair(g: Graph, a: Node, b: Node, compute: boolean): Promise<boolean> {
  if (a.opType === 'Conv' && b.opType === 'Conv') return mergeConvs(g, a, b, compute);
  if ((a.opType === 'Gemm' || a.opType === 'MatMul') && (b.opType === 'Gemm' || b.opType === 'MatMul'))
    return mergeGemms(g, a, b, compute);
  return false;
}

function isPlain1x1(n: Node, w: Tensor): boolean {
  return (
    w.dims[2] === 1 &&
    w.dims[3] === 1 &&
    attrInt(n.attrs, 'group', 1) === 1 &&
    attrString(n.attrs, 'auto_pad', 'NOTSET') === 'NOTSET' &&
    attrInts(n.attrs, 'strides', [1, 1]).every((s) => s === 1) &&
    attrInts(n.attrs, 'pads', [0, 0, 0, 0]).every((p) => p === 0)
  );
}

/** a then b, both group-1 convs; one of them a plain 1×1. `compute` false: the merged weight stays zero. */
async function mergeConvs(g: Graph, a: Node, b: Node, compute: boolean): Promise<boolean> {
  const wa = g.initializers.get(a.inputs[1]!),
    wb = g.initializers.get(b.inputs[1]!);
  if (!wa || !wb || attrInt(a.attrs, 'group', 1) !== 1 || attrInt(b.attrs, 'group', 1) !== 1) return false;
  const [coutA, cinA, khA, kwA] = wa.dims as number[] as [number, number, number, number];
  const [coutB, cinB, khB, kwB] = wb.dims as number[] as [number, number, number, number];
  const A_ = wa.data as Float32Array,
    B_ = wb.data as Float32Array;
  let w: Float32Array, dims: number[], attrs: Node['attrs'], bias: Float32Array | undefined;
  const ba = biasOf(g, a, coutA),
    bb = biasOf(g, b, coutB);
  if (isPlain1x1(a, wa) && !ba) {
    // W[o,i,t] = Σ_q B[o,q,t]·A[q,i]
    const taps = khB * kwB;
    w = compute ? await composeAfter1x1(B_, A_, coutB, cinB, cinA, taps) : new Float32Array(coutB * cinA * taps);
    dims = [coutB, cinA, khB, kwB];
    attrs = b.attrs;
    bias = bb;
  } else if (isPlain1x1(b, wb)) {
    // W[o,i,t] = Σ_p B[o,p]·A[p,i,t]; bias = B·b_a + b_b
    const taps = khA * kwA;
    w = compute ? await matmulF32(B_, A_, coutB, cinB, cinA * taps) : new Float32Array(coutB * cinA * taps);
    dims = [coutB, cinA, khA, kwA];
    attrs = a.attrs;
    bias = composeBias(B_, coutB, cinB, ba, bb);
  } else return false;
  replacePair(g, a, b, 'Conv', f32(dims, w), bias, { ...attrs, kernel_shape: A.ints(dims.slice(2)) });
  return true;
}

/** a then b, Gemm/MatMul with constant 2-D weights and no transA on b. alpha/beta survive unfolded where they can. */
async function mergeGemms(g: Graph, a: Node, b: Node, compute: boolean): Promise<boolean> {
  const ma = linearMap(g, a),
    mb = linearMap(g, b);
  if (!ma || !mb || (b.opType === 'Gemm' && attrInt(b.attrs, 'transA', 0) === 1)) return false;
  // y = αa·αb·(Wb·Wa)·x + [αb·Wb·(βa·ca)] + βb·cb, the product kept in b's weight layout.
  const w = compute ? await productInLayoutOf(ma, mb) : new Float32Array(mb.outDim * ma.inDim);
  const alpha = ma.alpha * mb.alpha;
  let bias = mb.bias,
    beta = mb.beta;
  if (ma.bias) {
    const carried = applyLinear(mb, ma.bias, mb.alpha * ma.beta);
    if (mb.bias) for (let o = 0; o < mb.outDim; o++) carried[o]! += mb.beta * mb.bias[o]!;
    bias = carried;
    beta = 1;
  }
  const dims = mb.transB ? [mb.outDim, ma.inDim] : [ma.inDim, mb.outDim];
  if (a.opType === 'MatMul' && b.opType === 'MatMul') {
    replacePair(g, a, b, 'MatMul', f32(dims, w), undefined, {});
    return true;
  }
  const attrs: Node['attrs'] = mb.transB ? { transB: A.int(1) } : {};
  if (a.opType === 'Gemm' && attrInt(a.attrs, 'transA', 0) === 1) attrs.transA = A.int(1);
  if (alpha !== 1) attrs.alpha = A.float(alpha);
  if (bias && beta !== 1) attrs.beta = A.float(beta);
  replacePair(g, a, b, 'Gemm', f32(dims, w), bias, attrs);
  return true;
}

/**
 * Wb·Wa stored the way b stores its weight: [out, in] = Wb·Wa when b has transB, else [in, out] = Waᵀ·Wbᵀ, which is
 * the product of the stored [in, mid] and [mid, out] arrays as they are. Only a's weight may need a transpose (when
 * the two layouts differ), so an expanded MatMul chain merges with no transposes at all.
 */
async function productInLayoutOf(ma: LinearMap, mb: LinearMap): Promise<Float32Array> {
  const mid = mb.inDim;
  if (mb.transB) {
    const aOutIn = ma.transB ? ma.stored : transposeF32(ma.stored, ma.inDim, mid);
    return matmulF32(mb.stored, aOutIn, mb.outDim, mid, ma.inDim);
  }
  const aInOut = ma.transB ? transposeF32(ma.stored, mid, ma.inDim) : ma.stored;
  return matmulF32(aInOut, mb.stored, ma.inDim, mid, mb.outDim);
}

interface LinearMap {
  /** The weight as the node stores it: [out, in] with transB, else [in, out]. */
  stored: Float32Array;
  transB: boolean;
  outDim: number;
  inDim: number;
  alpha: number;
  bias?: Float32Array;
  beta: number;
}

/** y = alpha·W·x + beta·bias of a Gemm/MatMul; the weight in its stored layout. */
function linearMap(g: Graph, n: Node): LinearMap | undefined {
  const t = g.initializers.get(n.inputs[1] ?? '');
  if (t?.dims.length !== 2 || t.dtype !== 'float32') return undefined;
  const transB = n.opType === 'Gemm' && attrInt(n.attrs, 'transB', 0) === 1;
  const [r, c] = t.dims as [number, number];
  const outDim = transB ? r : c,
    inDim = transB ? c : r;
  const map: LinearMap = { stored: t.data as Float32Array, transB, outDim, inDim, alpha: 1, beta: 1 };
  if (n.opType !== 'Gemm') return map;
  map.alpha = attrFloat(n.attrs, 'alpha', 1);
  map.beta = attrFloat(n.attrs, 'beta', 1);
  if (n.inputs[2]) {
    const bt = g.initializers.get(n.inputs[2]);
    if (!bt || bt.data.length !== outDim) return undefined; // only per-output biases fold exactly
    map.bias = bt.data as Float32Array;
  }
  return map;
}

/** scale·W·x for a vector x [in], W in either stored layout (float64 sums). */
function applyLinear(m: LinearMap, x: Float32Array, scale: number): Float32Array {
  const y = new Float64Array(m.outDim);
  const w = m.stored;
  if (m.transB)
    for (let o = 0; o < m.outDim; o++) {
      let s = 0;
      for (let i = 0; i < m.inDim; i++) s += w[o * m.inDim + i]! * x[i]!;
      y[o] = s;
    }
  else
    for (let i = 0; i < m.inDim; i++) {
      const xi = x[i]!;
      for (let o = 0; o < m.outDim; o++) y[o]! += w[i * m.outDim + o]! * xi;
    }
  return Float32Array.from(y, (v) => v * scale);
}

function biasOf(g: Graph, n: Node, size: number): Float32Array | undefined {
  const name = n.inputs[2];
  if (!name) return undefined;
  const t = g.initializers.get(name);
  return t && t.data.length === size ? (t.data as Float32Array) : undefined;
}

function composeBias(
  wb: Float32Array,
  outB: number,
  inB: number,
  ba: Float32Array | undefined,
  bb: Float32Array | undefined,
): Float32Array | undefined {
  if (!ba && !bb) return undefined;
  const out = bb ? Float32Array.from(bb) : new Float32Array(outB);
  if (ba)
    for (let o = 0; o < outB; o++) {
      let s = 0;
      for (let p = 0; p < inB; p++) s += wb[o * inB + p]! * ba[p]!;
      out[o]! += s;
    }
  return out;
}

/** Replace nodes a→b by one node reading a's input and writing b's output. Weight/bias take b's names. */
function replacePair(
  g: Graph,
  a: Node,
  b: Node,
  opType: string,
  w: Tensor,
  bias: Float32Array | undefined,
  attrs: Node['attrs'],
): void {
  const wName = b.inputs[1]!;
  const biasName = b.inputs[2] || a.inputs[2] || g.uniqueName(`${wName}.bias`);
  for (const n of [a.inputs[1], a.inputs[2], b.inputs[2]]) if (n && n !== biasName) g.initializers.delete(n);
  g.initializers.set(wName, w);
  if (bias) g.initializers.set(biasName, f32([bias.length], bias));
  const merged: Node = {
    name: b.name,
    opType,
    inputs: [a.inputs[0]!, wName, ...(bias ? [biasName] : [])],
    outputs: [...b.outputs],
    attrs,
  };
  g.nodes = g.nodes.filter((n) => n !== a).map((n) => (n === b ? merged : n));
  removeUnusedInitializers(g);
}

function removeUnusedInitializers(g: Graph): void {
  const used = new Set(g.nodes.flatMap((n) => n.inputs));
  for (const k of [...g.initializers.keys()]) if (!used.has(k)) g.initializers.delete(k);
}

/** Strip LOP suffixes from fully merged layers (node and weight names) where the original name is free. */
function restoreNames(g: Graph): void {
  g.invalidateNames(); // names change in place below
  const strip = (s: string) => s.replace(/\.lop_(expand|mid|reduce)$/, '').replace(/\.lop_(e1|m|e3)$/, '');
  for (const n of g.nodes) {
    const base = strip(n.name);
    if (base !== n.name && !g.nodes.some((m) => m !== n && m.name === base)) n.name = base;
    const w = n.inputs[1];
    if (w && strip(w) !== w && !g.initializers.has(strip(w))) {
      g.initializers.set(strip(w), g.initializers.get(w)!);
      g.initializers.delete(w);
      n.inputs[1] = strip(w);
    }
  }
}
