/**
 * SRN — Serialized Residual Network (METHODS.md §2, exact construction). After folding BN, each basic
 * block y = conv2(ReLU(conv1(x))) + s(x) becomes a plain chain: conv1 gets extra output channels with
 * Dirac kernels that copy x (ReLU keeps them since x ≥ 0), conv2 gets matching extra input channels
 * that add x back (identity kernels) or apply the 1×1 projection (its kernel at the window centre, its
 * bias into conv2's bias); conv1's stride does the projection's subsampling. The Add disappears.
 * When x is not provably ≥ 0, both x⁺ = ReLU(x) and x⁻ = ReLU(−x) are carried (x = x⁺ − x⁻).
 */
import { unshareInitializers } from '../../analysis/unshare.js';
import { attrInts } from '../../ir/attrs.js';
import type { Graph } from '../../ir/graph.js';
import { hasShapeRule, inferShapes, shapeOf } from '../../ir/shape/index.js';
import { f32 } from '../../ir/tensor.js';
import { foldBatchNorm } from '../foldbn/index.js';
import { type BasicBlock, findBasicBlocks, nonNegative } from './match.js';

export interface SrnResult {
  graph: Graph;
  /** Add nodes serialized. */
  serialized: string[];
  /** Add nodes left (not a basic block we can serialize), with reasons. */
  kept: Record<string, string>;
  foldedBn: string[];
}

function dims4(g: Graph, v: string): number[] {
  return shapeOf(g, v).map((d) => (typeof d === 'number' ? d : -1));
}

/** Why this block cannot be serialized exactly (undefined = it can). */
function obstacle(shaped: Graph, b: BasicBlock): string | undefined {
  const xs = dims4(shaped, b.x),
    hs = dims4(shaped, b.conv1.outputs[0]!),
    ys = dims4(shaped, b.conv2.outputs[0]!);
  if ((attrInts(b.conv2.attrs, 'strides') ?? [1, 1]).some((s) => s !== 1)) return 'conv2 is strided';
  if (hs[2] !== ys[2] || hs[3] !== ys[3]) return 'conv2 changes the spatial size';
  const k1 = shaped.initializers.get(b.conv1.inputs[1]!)!.dims,
    k2 = shaped.initializers.get(b.conv2.inputs[1]!)!.dims;
  const p1 = attrInts(b.conv1.attrs, 'pads') ?? [0, 0, 0, 0],
    p2 = attrInts(b.conv2.attrs, 'pads') ?? [0, 0, 0, 0];
  if (p1[0]! >= k1[2]! || p1[1]! >= k1[3]! || p2[0]! >= k2[2]! || p2[1]! >= k2[3]!)
    return 'padding too large for a Dirac kernel';
  const s1 = attrInts(b.conv1.attrs, 'strides') ?? [1, 1];
  // conv1 output i must read x at s·i (in range); the shortcut reads the same position.
  if ((hs[2]! - 1) * s1[0]! > xs[2]! - 1 || (hs[3]! - 1) * s1[1]! > xs[3]! - 1)
    return 'conv1 output grid does not fit the input grid';
  if (b.proj) {
    const sp = attrInts(b.proj.attrs, 'strides') ?? [1, 1];
    if (sp[0] !== s1[0] || sp[1] !== s1[1]) return 'projection stride differs from conv1 stride';
    const ps = dims4(shaped, b.proj.outputs[0]!);
    if (ps[2] !== ys[2] || ps[3] !== ys[3]) return 'projection output grid differs';
  } else if (xs[1] !== ys[1] || xs[2] !== hs[2] || xs[3] !== hs[3] || s1.some((s) => s !== 1)) {
    return 'identity shortcut with a shape change';
  }
  return undefined;
}

/** Serialize every block of a copy of `g0` that can be (or only the Adds named in `only`); the input is untouched. */
export function serializeResiduals(g0: Graph, only?: string[]): SrnResult {
  // Widening writes conv weights and biases: an exporter's shared zero bias must become one per conv first.
  const fb = foldBatchNorm(unshareInitializers(g0));
  const wanted = only ? new Set(only) : undefined;
  const g = fb.graph;
  const shaped = g.clone(true);
  inferShapes(shaped, { batch: 1 });
  const serialized: string[] = [];
  const kept: Record<string, string> = {};
  const blocks = findBasicBlocks(g);
  const inBlock = new Set(blocks.map((b) => b.add.name));
  for (const n of g.nodes)
    if (n.opType === 'Add' && !inBlock.has(n.name)) kept[n.name] = 'not a conv-ReLU-conv basic block';
  const { producer } = g.index();
  const dropNodes = new Set<string>();
  for (const b of blocks) {
    const why = wanted && !wanted.has(b.add.name) ? 'not in the plan' : obstacle(shaped, b);
    if (why) {
      kept[b.add.name] = why;
      continue;
    }
    const signed = !nonNegative(g, b.x, producer);
    widen(g, b, signed);
    b.conv2.outputs[0] = b.add.outputs[0]!;
    dropNodes.add(b.add.name);
    if (b.proj) dropNodes.add(b.proj.name);
    serialized.push(b.add.name);
  }
  g.nodes = g.nodes.filter((n) => !dropNodes.has(n.name));
  // Widened blocks change shapes; only the shapes of ops without a rule (learned from ONNX Runtime) are kept.
  const opaque = new Set(g.nodes.filter((n) => !hasShapeRule(n)).flatMap((n) => n.outputs));
  for (const k of [...g.valueInfo.keys()]) if (!opaque.has(k)) g.valueInfo.delete(k);
  g.removeUnused();
  return { graph: g, serialized, kept, foldedBn: fb.folded };
}

/** Add the Dirac channels to conv1 (outputs) and conv2 (inputs) of one block, in place. */
function widen(g: Graph, b: BasicBlock, signed: boolean): void {
  const w1 = g.initializers.get(b.conv1.inputs[1]!)!,
    w2 = g.initializers.get(b.conv2.inputs[1]!)!;
  const [c1, c0, kh1, kw1] = w1.dims as [number, number, number, number];
  const [co, , kh2, kw2] = w2.dims as [number, number, number, number];
  const [pt1, pl1] = attrInts(b.conv1.attrs, 'pads') ?? [0, 0];
  const [pt2, pl2] = attrInts(b.conv2.attrs, 'pads') ?? [0, 0];
  const copies = signed ? 2 : 1;
  const e = c0 * copies;
  // conv1: [c1 + e, c0, kh, kw]; extra row c1 + r·c0 + c copies (±) input channel c.
  const n1 = new Float32Array((c1 + e) * c0 * kh1 * kw1);
  n1.set(w1.data as Float32Array);
  for (let r = 0; r < copies; r++) {
    for (let c = 0; c < c0; c++) n1[(((c1 + r * c0 + c) * c0 + c) * kh1 + pt1!) * kw1 + pl1!] = r === 0 ? 1 : -1;
  }
  g.initializers.set(b.conv1.inputs[1]!, f32([c1 + e, c0, kh1, kw1], n1));
  const b1 = b.conv1.inputs[2] ? (g.initializers.get(b.conv1.inputs[2])!.data as Float32Array) : undefined;
  if (b1)
    g.initializers.set(
      b.conv1.inputs[2]!,
      f32(
        [c1 + e],
        Float32Array.from({ length: c1 + e }, (_, i) => (i < c1 ? b1[i]! : 0)),
      ),
    );
  // conv2: [co, c1 + e, kh, kw]; extra input c1 + r·c0 + c reaches output o with the shortcut's weight.
  const proj = b.proj ? (g.initializers.get(b.proj.inputs[1]!)!.data as Float32Array) : undefined;
  const n2 = new Float32Array(co * (c1 + e) * kh2 * kw2);
  const src2 = w2.data as Float32Array;
  const per = kh2 * kw2;
  for (let o = 0; o < co; o++) {
    n2.set(src2.subarray(o * c1 * per, (o + 1) * c1 * per), o * (c1 + e) * per);
    for (let r = 0; r < copies; r++) {
      const sign = r === 0 ? 1 : -1;
      for (let c = 0; c < c0; c++) {
        const v = proj ? proj[o * c0 + c]! : o === c ? 1 : 0;
        if (v !== 0) n2[((o * (c1 + e) + c1 + r * c0 + c) * kh2 + pt2!) * kw2 + pl2!] = sign * v;
      }
    }
  }
  g.initializers.set(b.conv2.inputs[1]!, f32([co, c1 + e, kh2, kw2], n2));
  // Bias: conv2's plus the projection's.
  const pb = b.proj?.inputs[2] ? (g.initializers.get(b.proj.inputs[2])!.data as Float32Array) : undefined;
  const old2 = b.conv2.inputs[2] ? (g.initializers.get(b.conv2.inputs[2])!.data as Float32Array) : undefined;
  if (pb || old2) {
    const bias = Float32Array.from({ length: co }, (_, o) => (old2?.[o] ?? 0) + (pb?.[o] ?? 0));
    if (old2) g.initializers.set(b.conv2.inputs[2]!, f32([co], bias));
    else {
      while (b.conv2.inputs.length < 3) b.conv2.inputs.push('');
      b.conv2.inputs[2] = g.addInitializer(`${b.conv2.name}.bias`, f32([co], bias));
    }
  }
}
