import { A, attrInt, attrString, type Attrs } from '../../ir/attrs.js';
import type { Graph, Node } from '../../ir/graph.js';
import { f32 } from '../../ir/tensor.js';
import { ReproError } from '../../util/errors.js';
import { formatBytes, memoryLimitBytes, memoryLimitMB } from '../../util/limits.js';
import { progressLines } from '../../util/progress-lines.js';
import { SeededRng } from '../../util/random.js';
import { transposeF32 } from './compose.js';
import { expansionFactors, factorF32, middleWeights } from './factors.js';
import { LOP_DEFAULT_RATE } from './spec.js';

export interface ExpandOptions {
  /** Expansion rate r (default LOP_DEFAULT_RATE). */
  rate?: number;
  seed?: number;
  /** Only expand these nodes (default: every Conv with group 1 and every Gemm/MatMul with a constant weight). */
  nodes?: string[];
  /** Only decide which layers expand (the report), leaving the graph as it is: what a plan needs, in milliseconds. */
  structureOnly?: boolean;
  /** Progress lines for long expansions (ResNet-50: ~20 s). */
  log?: (line: string) => void;
}

export interface ExpandReport {
  expanded: string[];
  /** Nodes left alone, with the reason (grouped/depthwise convs, non-constant weights, ...). */
  skipped: Array<{ node: string; reason: string }>;
}

/** Suffixes that mark the three layers of an expansion; merge strips them to restore the original names. */
export const LOP_SUFFIX = { first: '.lop_expand', middle: '.lop_mid', last: '.lop_reduce' } as const;

/**
 * Linear over-parameterization of a copy of `g0`: every compact Conv k×k becomes 1×1 → k×k → 1×1 and every
 * Gemm/MatMul three Gemm/MatMuls, with no nonlinearity, bias or BN inside, computing exactly the same function (up
 * to float rounding). The bias stays on the last layer, so zero padding inside stays exact.
 */
export async function lopExpand(g0: Graph, opts: ExpandOptions = {}): Promise<ExpandReport & { graph: Graph }> {
  const g = g0.clone(true);
  const rate = opts.rate ?? LOP_DEFAULT_RATE;
  const rng = new SeededRng(opts.seed ?? 0);
  const report: ExpandReport = { expanded: [], skipped: [] };
  const readers = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  const chosen = new Set<Node>();
  for (const n of g.nodes) {
    if (opts.nodes && !opts.nodes.includes(n.name)) continue;
    const reason = expandable(g, n, readers);
    if (!reason) chosen.add(n);
    else if (['Conv', 'Gemm', 'MatMul'].includes(n.opType)) report.skipped.push({ node: n.name, reason });
  }
  report.expanded = [...chosen].map((n) => n.name);
  if (opts.structureOnly) return { graph: g, ...report };
  checkExpansionMemory(g, [...chosen], rate);
  const out: Node[] = [];
  const progress = progressLines(opts.log, 'lop-expand', chosen.size);
  let done = 0;
  for (const n of g.nodes) {
    if (!chosen.has(n)) {
      out.push(n);
      continue;
    }
    out.push(...(n.opType === 'Conv' ? await expandConv(g, n, rate, rng) : await expandGemm(g, n, rate, rng)));
    progress.step(++done, n.name);
  }
  g.nodes = out;
  return { graph: g, ...report };
}

/**
 * Refuse before drawing anything when the expanded weights (r² times each layer inside, plus the factors) would not
 * fit --max-memory beside the model: VGG-16's fc6 alone becomes 4.1 G parameters at rate 4, and the process used to
 * die at the allocation with no message.
 */
function checkExpansionMemory(g: Graph, nodes: Node[], rate: number): void {
  let model = 0;
  for (const t of g.initializers.values()) model += t.data.byteLength;
  const sized = nodes.map((n) => ({ node: n.name, bytes: 4 * expandedParams(g, n, rate) }));
  const added = sized.reduce((s, x) => s + x.bytes, 0);
  if (model + added <= memoryLimitBytes()) return;
  const largest = sized.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  throw new ReproError(
    `lop-expand at rate ${rate}: the expanded layers need ${formatBytes(added)} (largest: ${largest.node}, ${formatBytes(largest.bytes)}) ` +
      `beside the model's ${formatBytes(model)}, more than --max-memory ${memoryLimitMB()} MB; ` +
      'use a lower rate (--expand 2 needs about a quarter of it) or raise --max-memory if the machine has the RAM',
  );
}

/** Parameters of the three layers `n` becomes: E1 [r·in, in], M [r·out, r·in, taps], E3 [out, r·out]. */
function expandedParams(g: Graph, n: Node, rate: number): number {
  const dims = g.initializers.get(n.inputs[1]!)!.dims;
  const transB = n.opType === 'Gemm' && attrInt(n.attrs, 'transB', 0) === 1;
  const [out, inDim] = n.opType === 'Conv' || transB ? [dims[0]!, dims[1]!] : [dims[1]!, dims[0]!];
  const taps = n.opType === 'Conv' ? dims.slice(2).reduce((a, b) => a * b, 1) : 1;
  const [rIn, rOut] = [Math.ceil(rate * inDim), Math.ceil(rate * out)];
  return rIn * inDim + rOut * rIn * taps + out * rOut;
}

/** Why `n` stays as it is, or undefined. `readers`: how many node inputs read each value. */
function expandable(g: Graph, n: Node, readers: Map<string, number>): string | undefined {
  if (!['Conv', 'Gemm', 'MatMul'].includes(n.opType)) return 'not a linear layer';
  const w = g.initializers.get(n.inputs[1] ?? '');
  if (!w && n.opType === 'MatMul') return 'multiplies two activations (attention scores or context): no weight';
  if (w?.dtype !== 'float32') return 'weight is not a constant float32 initializer';
  // The expansion replaces the weight; a head shared by several layers (RetinaNet/FPN) would lose it elsewhere.
  if ((readers.get(n.inputs[1]!) ?? 0) > 1) return 'weight shared with other nodes: left unexpanded';
  if (n.opType === 'Conv') {
    if (attrInt(n.attrs, 'group', 1) !== 1) return 'grouped/depthwise conv: left unexpanded';
    if (attrString(n.attrs, 'auto_pad', 'NOTSET') !== 'NOTSET') return 'auto_pad conv: left unexpanded';
  } else if (w.dims.length !== 2) return 'weight is not a matrix';
  return undefined;
}

async function expandConv(g: Graph, n: Node, rate: number, rng: SeededRng): Promise<Node[]> {
  const wName = n.inputs[1]!;
  const w = g.initializers.get(wName)!;
  const [cout, cin, kh, kw] = w.dims as [number, number, number, number];
  const f = await expansionFactors(cin, cout, rate, rng);
  const midIn = f.first.m,
    midOut = f.lastT.m;
  const mData = await middleWeights(f, w.data as Float32Array, kh * kw);
  const e1 = g.addInitializer(`${wName}.lop_e1`, f32([midIn, cin, 1, 1], factorF32(f.first)));
  const mid = g.addInitializer(`${wName}.lop_m`, f32([midOut, midIn, kh, kw], mData));
  const e3 = g.addInitializer(`${wName}.lop_e3`, f32([cout, midOut, 1, 1], factorF32(f.lastT, true)));
  g.initializers.delete(wName);
  const h1 = g.uniqueName(`${n.outputs[0]}.lop_h1`);
  const h2 = g.uniqueName(`${n.outputs[0]}.lop_h2`);
  const k1 = { kernel_shape: A.ints([1, 1]) };
  const midAttrs = { ...n.attrs };
  midAttrs.kernel_shape = A.ints([kh, kw]);
  const bias = n.inputs[2] ? [n.inputs[2]] : [];
  return [
    { name: n.name + LOP_SUFFIX.first, opType: 'Conv', inputs: [n.inputs[0]!, e1], outputs: [h1], attrs: k1 },
    { name: n.name + LOP_SUFFIX.middle, opType: 'Conv', inputs: [h1, mid], outputs: [h2], attrs: midAttrs },
    {
      name: n.name + LOP_SUFFIX.last,
      opType: 'Conv',
      inputs: [h2, e3, ...bias],
      outputs: [...n.outputs],
      attrs: { ...k1 },
    },
  ];
}

/**
 * Gemm/MatMul: every expanded layer keeps the original weight layout (transB, or [in,out] for MatMul),
 * transA stays on the first layer, alpha on the middle one and the bias/beta on the last.
 */
async function expandGemm(g: Graph, n: Node, rate: number, rng: SeededRng): Promise<Node[]> {
  const wName = n.inputs[1]!;
  const w = g.initializers.get(wName)!;
  const stored = w.data as Float32Array;
  const transB = n.opType === 'Gemm' && attrInt(n.attrs, 'transB', 0) === 1;
  const [a, b] = w.dims as [number, number];
  const [outDim, inDim] = transB ? [a, b] : [b, a];
  const wOutIn = transB ? stored : transposeF32(stored, a, b); // [out, in]
  const f = await expansionFactors(inDim, outDim, rate, rng);
  const [midIn, midOut] = [f.first.m, f.lastT.m];
  const m = await middleWeights(f, wOutIn, 1); // [r·out, r·in]
  // Each stored as [out, in] with transB, else as [in, out]; E3 = (E3ᵀ)ᵀ.
  const store = (name: string, outIn: [number, number], data: Float32Array) =>
    g.addInitializer(`${wName}.${name}`, f32(transB ? outIn : [outIn[1], outIn[0]], data));
  const e1 = store('lop_e1', [midIn, inDim], factorF32(f.first, !transB)),
    mid = store('lop_m', [midOut, midIn], transB ? m : transposeF32(m, midOut, midIn)),
    e3 = store('lop_e3', [outDim, midOut], factorF32(f.lastT, transB));
  g.initializers.delete(wName);
  const h1 = g.uniqueName(`${n.outputs[0]}.lop_h1`);
  const h2 = g.uniqueName(`${n.outputs[0]}.lop_h2`);
  if (n.opType === 'MatMul') {
    return [
      { name: n.name + LOP_SUFFIX.first, opType: 'MatMul', inputs: [n.inputs[0]!, e1], outputs: [h1], attrs: {} },
      { name: n.name + LOP_SUFFIX.middle, opType: 'MatMul', inputs: [h1, mid], outputs: [h2], attrs: {} },
      { name: n.name + LOP_SUFFIX.last, opType: 'MatMul', inputs: [h2, e3], outputs: [...n.outputs], attrs: {} },
    ];
  }
  const keep = (names: string[]): Attrs =>
    Object.fromEntries(names.filter((k) => n.attrs[k]).map((k) => [k, n.attrs[k]!]));
  const bias = n.inputs[2] ? [n.inputs[2]] : [];
  return [
    {
      name: n.name + LOP_SUFFIX.first,
      opType: 'Gemm',
      inputs: [n.inputs[0]!, e1],
      outputs: [h1],
      attrs: keep(['transB', 'transA']),
    },
    {
      name: n.name + LOP_SUFFIX.middle,
      opType: 'Gemm',
      inputs: [h1, mid],
      outputs: [h2],
      attrs: keep(['transB', 'alpha']),
    },
    {
      name: n.name + LOP_SUFFIX.last,
      opType: 'Gemm',
      inputs: [h2, e3, ...bias],
      outputs: [...n.outputs],
      attrs: keep(['transB', 'beta']),
    },
  ];
}
