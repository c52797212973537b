import type { Graph, Node } from './graph.js';
import type { Tensor } from './tensor.js';

/**
 * The GEMM view of a layer's weight: a row per output neuron/channel, a column per input feature
 * (`[Cout, Cin/g·kh·kw]` for Conv, `[out, in]` for Gemm/MatMul). Conv and Gemm(transB=1) weights are
 * already laid out that way; Gemm(transB=0) and MatMul weights are stored transposed.
 */
export interface GemmView {
  node: Node;
  weight: string;
  rows: number;
  cols: number;
  /** True when the stored tensor is [cols, rows] and must be transposed to get the view. */
  transposed: boolean;
}

/** The weight input of a prunable layer, or undefined for other nodes / non-constant weights. */
export function gemmViewOf(g: Graph, node: Node): GemmView | undefined {
  const weightIdx = node.opType === 'MatMul' ? 1 : node.opType === 'Conv' || node.opType === 'Gemm' ? 1 : -1;
  if (weightIdx < 0) return undefined;
  const weight = node.inputs[weightIdx];
  const t = weight ? g.initializers.get(weight) : undefined;
  if (!weight || !t || t.dtype !== 'float32') return undefined;
  if (node.opType === 'Conv') {
    const [cout, ...rest] = t.dims;
    return { node, weight, rows: cout!, cols: rest.reduce((a, b) => a * b, 1), transposed: false };
  }
  if (t.dims.length !== 2) return undefined;
  if (node.opType === 'Gemm') {
    const transB = node.attrs.transB?.kind === 'int' && node.attrs.transB.value === 1;
    const [a, b] = t.dims as [number, number];
    return transB
      ? { node, weight, rows: a, cols: b, transposed: false }
      : { node, weight, rows: b, cols: a, transposed: true };
  }
  const [k, n] = t.dims as [number, number];
  return { node, weight, rows: n, cols: k, transposed: true };
}

/** Every layer with a constant float weight, in graph order. */
export function gemmViews(g: Graph): GemmView[] {
  const out: GemmView[] = [];
  for (const n of g.nodes) {
    const v = gemmViewOf(g, n);
    if (v) out.push(v);
  }
  return out;
}

/**
 * The weight as a row-major [rows, cols] matrix for reading only: the tensor's own array when it is stored that way
 * (Conv, Gemm with transB), else a transposed copy. Never write to it.
 */
export function gemmMatrixForReading(t: Tensor, v: GemmView): Float32Array {
  return v.transposed ? readGemmMatrix(t, v) : (t.data as Float32Array);
}

/** Copy the weight out as a row-major [rows, cols] matrix. */
export function readGemmMatrix(t: Tensor, v: GemmView): Float32Array {
  const src = t.data as Float32Array;
  if (!v.transposed) return src.slice();
  const m = new Float32Array(v.rows * v.cols);
  for (let i = 0; i < v.cols; i++) for (let j = 0; j < v.rows; j++) m[j * v.cols + i] = src[i * v.rows + j]!;
  return m;
}

/** Write a row-major [rows, cols] matrix back into the weight tensor's own layout (in place). */
export function writeGemmMatrix(t: Tensor, v: GemmView, m: Float32Array): void {
  const dst = t.data as Float32Array;
  if (!v.transposed) {
    dst.set(m);
    return;
  }
  for (let i = 0; i < v.cols; i++) for (let j = 0; j < v.rows; j++) dst[i * v.rows + j] = m[j * v.cols + i]!;
}

/**
 * A new tensor with `t`'s dtype and dims holding the row-major [rows, cols] matrix `m` in the stored layout; `m` is
 * handed over (it may become the tensor's data), so the caller must not write to it afterwards.
 */
export function tensorFromGemm(t: Tensor, v: GemmView, m: Float32Array): Tensor {
  // Stored row-major already: `m` itself becomes the data (the caller hands it over), no second copy of the layer.
  if (!v.transposed) return { dtype: t.dtype, dims: [...t.dims], data: m };
  const out: Tensor = { dtype: t.dtype, dims: [...t.dims], data: new Float32Array(t.data.length) };
  writeGemmMatrix(out, v, m);
  return out;
}
