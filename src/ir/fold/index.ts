/**
 * Constant folding, exact: the folded graph computes bit-identical outputs.
 * - Constant nodes become initializers;
 * - Identity (and inference-mode Dropout) nodes are bypassed;
 * - nodes whose integer outputs are known from shape inference (Shape of static dims, Gather/Unsqueeze/Concat/Slice/
 *   Cast/arithmetic on them) become initializers;
 * - nodes whose inputs are all initializers and that have an exact kernel (FOLD_KERNELS) are evaluated;
 * - a Reshape whose target is known up to the symbolic batch (PyTorch's Shape→Gather→Unsqueeze→Concat chain) gets a
 *   constant target using 0 (copy that dim) or -1 (infer it);
 * - dead nodes and initializers are removed; g.valueInfo is refreshed.
 */
import type { Graph, Node } from '../graph.js';
import { constantNodeTensor } from '../ops.js';
import { i64, type Tensor } from '../tensor.js';
import { inferShapesDetailed, type InferResult } from '../shape/infer.js';
import { dimsEqual, isStatic } from '../shape/dims.js';
import { FOLD_KERNELS, type FoldKernel, type FoldType } from './kernels.js';

const INT64_MAX = 2 ** 63 - 1;

function clampToInt64(v: number): bigint {
  if (v >= INT64_MAX) return (1n << 63n) - 1n;
  if (v <= -INT64_MAX) return -(1n << 63n);
  return BigInt(v);
}

function isDefault(n: Node): boolean {
  return !n.domain || n.domain === 'ai.onnx';
}

/** Bypass Identity and inference-mode Dropout; returns true if anything changed. */
function eliminateIdentities(g: Graph): boolean {
  let changed = false;
  for (const n of [...g.nodes]) {
    if (!isDefault(n)) continue;
    const isDropout = n.opType === 'Dropout' && !n.inputs[2] && !n.outputs[1];
    if (n.opType !== 'Identity' && !isDropout) continue;
    const src = n.inputs[0]!,
      dst = n.outputs[0]!;
    if (!src || !dst) continue;
    if (g.isGraphOutput(dst)) {
      // Rename the producer's output to the graph output name, unless src is itself visible outside.
      const { producer } = g.index();
      const p = producer.get(src);
      if (!p || g.isGraphOutput(src) || g.isGraphInput(src)) continue;
      p.outputs = p.outputs.map((o) => (o === src ? dst : o));
      for (const m of g.nodes) m.inputs = m.inputs.map((i) => (i === src ? dst : i));
      g.valueInfo.delete(src);
    } else {
      for (const m of g.nodes) m.inputs = m.inputs.map((i) => (i === dst ? src : i));
      g.valueInfo.delete(dst);
    }
    g.nodes = g.nodes.filter((m) => m !== n);
    changed = true;
  }
  return changed;
}

function constantNodesToInitializers(g: Graph): boolean {
  const before = g.nodes.length;
  g.nodes = g.nodes.filter((n) => {
    if (!isDefault(n) || n.opType !== 'Constant' || !n.outputs[0] || g.isGraphOutput(n.outputs[0])) return true;
    g.initializers.set(n.outputs[0], constantNodeTensor(n));
    return false;
  });
  return g.nodes.length !== before;
}

/** Replace a node by initializers holding its outputs. */
function replaceByInitializers(g: Graph, n: Node, outs: Tensor[]): void {
  n.outputs.forEach((o, k) => {
    if (o) g.initializers.set(o, outs[k]!);
  });
  g.nodes = g.nodes.filter((m) => m !== n);
}

/** Outputs known exactly from value propagation (small int tensors), or undefined. */
function knownOutputs(n: Node, info: InferResult): Tensor[] | undefined {
  const outs: Tensor[] = [];
  for (const o of n.outputs) {
    if (!o) {
      outs.push(undefined as never);
      continue;
    }
    const t = info.types.get(o),
      v = info.values.get(o);
    if (!t || !v || t.dtype !== 'int64' || !isStatic(t.shape) || !isStatic(v)) return undefined;
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== v.length) return undefined;
    outs.push({ dtype: 'int64', dims: [...t.shape], data: BigInt64Array.from(v, clampToInt64) });
  }
  return outs;
}

/** Reshape target known up to symbols → constant target with 0 / -1 (exact: 0 copies the same symbolic dim). */
function constantReshapeTarget(n: Node, info: InferResult): bigint[] | undefined {
  const v = info.values.get(n.inputs[1]!);
  const x = info.types.get(n.inputs[0]!);
  if (!v || !x) return undefined;
  const allowzero = (n.attrs.allowzero?.value ?? 0) === 1;
  let infer = v.some((d) => d === -1) ? 1 : 0;
  const out: bigint[] = [];
  for (let i = 0; i < v.length; i++) {
    const d = v[i]!;
    if (typeof d === 'number') out.push(clampToInt64(d));
    else if (!allowzero && i < x.shape.length && dimsEqual(x.shape[i]!, d)) out.push(0n);
    else if (infer++ === 0) out.push(-1n);
    else return undefined;
  }
  return out;
}

/** A kernel result, or undefined when the node is malformed (left for inference / ORT to report by name). */
function runKernel(kernel: FoldKernel, n: Node, g: Graph, types: FoldType[]): Tensor[] | undefined {
  try {
    const res = kernel(
      n,
      n.inputs.map((i) => (i ? g.initializers.get(i) : undefined)),
      types,
      g.opset,
    );
    if (!res || res.length < n.outputs.length) return undefined;
    const ok = res.every(
      (t, k) =>
        !n.outputs[k] ||
        (t && t.data.length === t.dims.reduce((a, b) => a * b, 1) && t.dims.join() === types[k]!.shape.join()),
    );
    return ok ? res : undefined;
  } catch {
    return undefined;
  }
}

function foldPass(g: Graph): boolean {
  let changed = constantNodesToInitializers(g);
  changed = eliminateIdentities(g) || changed;
  const info = inferShapesDetailed(g, { lenient: true });
  for (const n of [...g.nodes]) {
    if (!isDefault(n)) continue;
    // A graph output stays produced by a node (ORT and the onnx checker handle initializer outputs poorly).
    const producesOutput = n.outputs.some((o) => o && g.isGraphOutput(o));
    const known = producesOutput ? undefined : knownOutputs(n, info);
    if (known) {
      replaceByInitializers(g, n, known);
      changed = true;
      continue;
    }
    const kernel = producesOutput ? undefined : FOLD_KERNELS[n.opType];
    if (kernel && n.inputs.every((i) => !i || g.initializers.has(i))) {
      const types: FoldType[] = [];
      for (const o of n.outputs) {
        const t = info.types.get(o);
        if (!t || !isStatic(t.shape)) break;
        types.push({ dtype: t.dtype, shape: t.shape as number[] });
      }
      if (types.length === n.outputs.length) {
        const res = runKernel(kernel, n, g, types);
        if (res) {
          replaceByInitializers(g, n, res);
          changed = true;
          continue;
        }
      }
    }
    if (n.opType === 'Reshape' && n.inputs[1] && !g.initializers.has(n.inputs[1])) {
      const target = constantReshapeTarget(n, info);
      if (target) {
        n.inputs[1] = g.addInitializer(`${n.name}_shape`, i64([target.length], target));
        changed = true;
      }
    }
  }
  return changed;
}

/** Fold constants in place (see file comment). Safe on graphs with unsupported ops or unshaped inputs. */
export function foldConstants(g: Graph): void {
  for (let iter = 0; iter < 32 && foldPass(g); iter++) {
    /* until fixpoint */
  }
  g.removeUnused();
  inferShapesDetailed(g, { lenient: true });
}
