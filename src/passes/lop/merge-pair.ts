/**
 * Merging one pair of linear layers into one, exactly (lopMerge walks the graph and picks the pairs): a plain 1×1
 * conv with a conv on either side, or two Gemm/MatMuls with constant 2-D weights. The merged node takes the second
 * layer's name and weight name; the product runs in ONNX Runtime when big (compose.ts).
 */
import { A, attrFloat, attrInt, attrInts, attrString } from '../../ir/attrs.js';
import type { Graph, Node } from '../../ir/graph.js';
import { f32, type Tensor } from '../../ir/tensor.js';
import { composeAfter1x1, matmulF32, transposeF32 } from './compose.js';

/** Output and input widths of a conv's or a linear layer's weight, and its kernel taps (1 for a matrix). */
export function layerDims(g: Graph, n: Node): { out: number; in: number; taps: number } | undefined {
  const w = g.initializers.get(n.inputs[1] ?? '');
  if (!w) return undefined;
  if (n.opType === 'Conv' && w.dims.length === 4) {
    const [out, cin, kh, kw] = w.dims as [number, number, number, number];
    return { out, in: cin, taps: kh * kw };
  }
  const map = linearMap(g, n);
  return map && { out: map.outDim, in: map.inDim, taps: 1 };
}

/** Merge a → b into one node in place if the pair is mergeable (see lopMerge); false leaves the graph as it was. */
export async function tryMergePair(g: Graph, a: Node, b: Node, compute: boolean): Promise<boolean> {
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
    bias = carryBias({ stored: B_, transB: true, outDim: coutB, inDim: cinB }, ba, 1, bb, 1);
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
    bias = carryBias(mb, ma.bias, mb.alpha * ma.beta, mb.bias, mb.beta);
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

function biasOf(g: Graph, n: Node, size: number): Float32Array | undefined {
  const name = n.inputs[2];
  if (!name) return undefined;
  const t = g.initializers.get(name);
  return t && t.data.length === size ? (t.data as Float32Array) : undefined;
}

/**
 * The bias a merge carries: sa·W·ba + sb·bb for a vector ba [in] and bb [out], W in either stored layout, each
 * output summed in float64 and rounded once; undefined when neither bias exists.
 */
function carryBias(
  w: Pick<LinearMap, 'stored' | 'transB' | 'outDim' | 'inDim'>,
  ba: Float32Array | undefined,
  sa: number,
  bb: Float32Array | undefined,
  sb: number,
): Float32Array | undefined {
  if (!ba) return bb && Float32Array.from(bb, (x) => sb * x);
  const y = new Float64Array(w.outDim);
  const { stored, outDim, inDim } = w;
  if (w.transB)
    for (let o = 0; o < outDim; o++) {
      let s = 0;
      for (let i = 0; i < inDim; i++) s += stored[o * inDim + i]! * ba[i]!;
      y[o] = s;
    }
  else
    for (let i = 0; i < inDim; i++) {
      const x = ba[i]!;
      for (let o = 0; o < outDim; o++) y[o]! += stored[i * outDim + o]! * x;
    }
  return Float32Array.from(y, (v, o) => (bb ? sa * v + sb * bb[o]! : sa * v));
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
