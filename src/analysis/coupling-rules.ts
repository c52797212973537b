/**
 * Per-operator rules of the coupling analysis. Each rule reads its inputs' channel layouts, records
 * producers / params / consumers on the channel spaces and sets the layouts of its outputs. A rule
 * returns the input indices it understood; every other input that carries channels is marked fixed.
 * Weighted layers, elementwise ops, Add/Mul and Concat are here; ops that only move or regroup the channel axis
 * (Reshape, Transpose, reductions, norms) are in coupling-layout-rules.ts.
 */
import { attrInt, attrInts } from '../ir/attrs.js';
import type { Node } from '../ir/graph.js';
import { numel, toNumbers } from '../ir/tensor.js';
import { LAYOUT_RULES } from './coupling-layout-rules.js';
import { addParams, isConst, isScalar, type Rule, type RuleCtx, rankOf } from './coupling-rule-ctx.js';
import { sameBoundaries, singleLayout, type Layout } from './coupling-state.js';

export type { RuleCtx } from './coupling-rule-ctx.js';

export const PASS_THROUGH = new Set([
  'Relu',
  'LeakyRelu',
  'Sigmoid',
  'Tanh',
  'Elu',
  'Selu',
  'Softplus',
  'Softsign',
  'HardSigmoid',
  'HardSwish',
  'Gelu',
  'Erf',
  'Abs',
  'Neg',
  'Exp',
  'Log',
  'Sqrt',
  'Reciprocal',
  'Identity',
  'Dropout',
  'Clip',
  'PRelu',
]);

export const SPATIAL_PASS = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'LpPool']);

const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Sum', 'Pow']);

/** Record weight input columns read by a consumer; resolves Flatten's pending H·W block from the weight width. */
function addConsumer(
  c: RuleCtx,
  n: Node,
  l: Layout,
  weight: string,
  axis: number,
  features: number,
  convGroups: number,
): boolean {
  let block = l.block;
  if (block === 'pending') {
    if (features % l.total !== 0) {
      for (const s of l.segs)
        c.st.fix(s.space, `${n.name}: ${features} input features are not a multiple of ${l.total} flattened channels`);
      return false;
    }
    block = features / l.total;
  } else if (block * l.total !== features) {
    for (const s of l.segs)
      c.st.fix(s.space, `${n.name}: reads ${features} features but its input has ${l.total}×${block}`);
    return false;
  }
  for (const s of l.segs) {
    c.st.space(s.space).consumers.push({
      node: n.name,
      opType: n.opType,
      weight,
      axis,
      offset: s.off * block,
      block,
      convGroups,
      reshapes: l.reshapes,
    });
    if ((c.refs.get(weight) ?? 0) > 1) c.st.fix(s.space, `initializer '${weight}' is shared by several nodes`);
  }
  return true;
}

function newProducer(
  c: RuleCtx,
  n: Node,
  weight: string,
  axis: number,
  size: number,
  bias: string | undefined,
  lay: Layout['axis'],
): number {
  const sp = c.st.newSpace(size);
  c.st.space(sp).producers.push({ node: n.name, opType: n.opType, weight, axis, offset: 0, ...(bias ? { bias } : {}) });
  for (const t of [weight, bias])
    if (t && (c.refs.get(t) ?? 0) > 1) c.st.fix(sp, `initializer '${t}' is shared by several nodes`);
  c.st.setLayout(n.outputs[0]!, singleLayout(sp, size, lay));
  return sp;
}

const conv: Rule = (c, n) => {
  const [x, w, b] = n.inputs;
  const W = w ? c.g.initializers.get(w) : undefined;
  if (!W || (b && !isConst(c, b))) return [];
  const group = attrInt(n.attrs, 'group', 1);
  const cout = W.dims[0]!;
  const cinPG = W.dims[1]!;
  const l = c.st.layouts.get(x!);
  if (l && l.axis !== 'ch1') return [];
  if (group > 1 && cinPG === 1 && cout === group && l && l.total === group) {
    // Depthwise with multiplier 1: output channel i reads input channel i only, so it is a pass-through with params.
    addParams(c, n, l, w!, 0, 'depthwise-weight');
    if (b) addParams(c, n, l, b, 0, 'depthwise-bias');
    c.st.setLayout(n.outputs[0]!, l);
    return [0, 1, 2];
  }
  if (l) {
    if (l.total !== cinPG * group) return [];
    addConsumer(c, n, l, w!, 1, l.total, group);
    // A grouped conv mixes channels only inside a group: permutations must keep each group's block.
    if (group > 1) for (const s of l.segs) for (let k = 1; k < group; k++) c.st.addCut(s.space, k * cinPG - s.off);
  }
  const sp = newProducer(c, n, w!, 0, cout, b || undefined, 'ch1');
  if (group > 1) for (let k = 1; k < group; k++) c.st.addCut(sp, (k * cout) / group);
  return [0, 1, 2];
};

const gemm: Rule = (c, n) => {
  const [a, w, bias] = n.inputs;
  const W = w ? c.g.initializers.get(w) : undefined;
  if (W?.dims.length !== 2 || attrInt(n.attrs, 'transA', 0) !== 0) return [];
  const transB = attrInt(n.attrs, 'transB', 0) === 1;
  const [rows, cols] = transB ? [W.dims[0]!, W.dims[1]!] : [W.dims[1]!, W.dims[0]!];
  let biasName: string | undefined;
  if (bias) {
    const B = c.g.initializers.get(bias);
    if (!B) return [];
    if (numel(B.dims) === rows && B.dims[B.dims.length - 1] === rows) biasName = bias;
    else if (numel(B.dims) !== 1) return [];
  }
  const l = c.st.layouts.get(a!);
  if (l) addConsumer(c, n, l, w!, transB ? 1 : 0, cols, 1);
  const sp = newProducer(c, n, w!, transB ? 0 : 1, rows, biasName, 'both');
  if (bias && !biasName) c.st.fix(sp, `${n.name}: scalar Gemm bias cannot follow a removal`);
  return [0, 1, 2];
};

const matmul: Rule = (c, n) => {
  const [a, w] = n.inputs;
  const W = w ? c.g.initializers.get(w) : undefined;
  if (W?.dims.length !== 2) return [];
  const l = c.st.layouts.get(a!);
  const rank = rankOf(c, a!);
  if (l) {
    if (l.axis === 'ch1' && rank !== 2) return [];
    addConsumer(c, n, l, w!, 0, W.dims[0]!, 1);
  }
  const outRank = rankOf(c, n.outputs[0]!) ?? rank;
  newProducer(c, n, w!, 1, W.dims[1]!, undefined, outRank === 2 ? 'both' : 'last');
  return [0, 1];
};

const batchNorm: Rule = (c, n) => {
  const l = c.st.layouts.get(n.inputs[0]!);
  if (!l || l.axis === 'last' || n.outputs.filter(Boolean).length > 1) return [];
  const params = n.inputs.slice(1, 5);
  if (params.length !== 4 || !params.every((p) => isConst(c, p))) return [];
  const roles = ['bn-scale', 'bn-bias', 'bn-mean', 'bn-var'] as const;
  params.forEach((p, i) => {
    addParams(c, n, l, p, 0, roles[i]!);
  });
  c.st.setLayout(n.outputs[0]!, l);
  return [0, 1, 2, 3, 4];
};

const elementwise: Rule = (c, n) => {
  const l = c.st.layouts.get(n.inputs[0]!);
  if (!l && c.st.stats.has(n.inputs[0]!) && n.inputs.slice(1).every((i) => !i || isConst(c, i))) {
    c.st.stats.add(n.outputs[0]!); // e.g. Sqrt of a LayerNorm variance: still a per-position statistic
    return n.inputs.map((_, i) => i);
  }
  if (!l) return [];
  if (n.opType === 'Clip' && !n.inputs.slice(1).every((i) => !i || isConst(c, i))) return [];
  if (n.opType === 'PRelu') {
    const s = c.g.initializers.get(n.inputs[1] ?? '');
    if (!s) return [];
    if (numel(s.dims) === l.total && l.axis !== 'last' && s.dims[0] === l.total)
      addParams(c, n, l, n.inputs[1]!, 0, 'channel-const');
    else if (numel(s.dims) !== 1) return [];
  }
  if (n.opType === 'Dropout' && n.outputs[1]) c.st.fixValue(n.inputs[0]!, `${n.name}: Dropout mask output is used`);
  c.st.setLayout(n.outputs[0]!, l);
  return n.inputs.map((_, i) => i);
};

const spatial: Rule = (c, n) => {
  const l = c.st.layouts.get(n.inputs[0]!);
  if (l?.axis !== 'ch1' || n.outputs.filter(Boolean).length > 1) return [];
  c.st.setLayout(n.outputs[0]!, l);
  return [0];
};

const pad: Rule = (c, n) => {
  const l = c.st.layouts.get(n.inputs[0]!);
  if (!l || n.inputs[3]) return [];
  const padsT = n.inputs[1] ? c.g.initializers.get(n.inputs[1]) : undefined;
  const pads = padsT ? toNumbers(padsT) : attrInts(n.attrs, 'pads');
  if (!pads || (n.inputs[2] && !isConst(c, n.inputs[2]))) return [];
  const rank = pads.length / 2;
  const axis = l.axis === 'last' ? rank - 1 : 1;
  if (pads[axis] !== 0 || pads[axis + rank] !== 0) return [];
  c.st.setLayout(n.outputs[0]!, l);
  return [0, 1, 2];
};

/** Add/Mul/...: activation operands share one channel space (residual streams); constants must be scalars or per-channel. */
const binary: Rule = (c, n) => {
  const acts = n.inputs.filter((i) => c.st.layouts.has(i));
  if (acts.length === 0) return statArithmetic(c, n);
  const first = c.st.layouts.get(acts[0]!)!;
  for (const v of acts.slice(1)) {
    const l = c.st.layouts.get(v)!;
    if (!sameBoundaries(first, l) || first.block !== l.block) return [];
  }
  for (const i of n.inputs) {
    if (c.st.layouts.has(i) || c.st.stats.has(i)) continue; // a channel statistic broadcasts like a scalar
    const t = c.g.initializers.get(i);
    if (!t) return [];
    if (numel(t.dims) === 1) continue;
    const axis = constChannelAxis(t.dims, first);
    if (axis === undefined || n.opType === 'Sum') return [];
    addParams(c, n, first, i, axis, 'channel-const');
  }
  for (const v of acts.slice(1)) {
    const l = c.st.layouts.get(v)!;
    l.segs.forEach((s, k) => {
      c.st.union(first.segs[k]!.space, s.space, `${n.name} (${n.opType})`);
    });
  }
  c.st.setLayout(n.outputs[0]!, {
    ...first,
    reshapes: [...new Set(acts.flatMap((v) => c.st.layouts.get(v)!.reshapes))],
  });
  return n.inputs.map((_, i) => i);
};

/**
 * The axis of a constant operand that lines up with a layout's channels, if it has one: on a channels-last value any
 * constant whose last axis is the channel count (a bias; a position embedding [1, T, C], per position and channel);
 * on NCHW a [C, 1, 1]-shaped one (per channel only).
 */
function constChannelAxis(dims: number[], l: Layout): number | undefined {
  if (l.axis === 'last' || l.axis === 'both') return dims[dims.length - 1] === l.total ? dims.length - 1 : undefined;
  const from = dims.findIndex((x) => x !== 1);
  const d = dims.slice(from);
  return d.length >= 2 && d[0] === l.total && d.slice(1).every((x) => x === 1) ? from : undefined;
}

/** Arithmetic on channel statistics and scalars (variance + ε, √·) keeps a statistic. */
function statArithmetic(c: RuleCtx, n: Node): number[] {
  const ok = n.inputs.some((i) => c.st.stats.has(i)) && n.inputs.every((i) => c.st.stats.has(i) || isScalar(c, i));
  if (!ok) return [];
  c.st.stats.add(n.outputs[0]!);
  return n.inputs.map((_, i) => i);
}

export const RULES: Record<string, Rule> = {
  ...LAYOUT_RULES,
  Conv: conv,
  Gemm: gemm,
  MatMul: matmul,
  BatchNormalization: batchNorm,
  Pad: pad,
  ...Object.fromEntries([...PASS_THROUGH].map((o) => [o, elementwise])),
  ...Object.fromEntries([...SPATIAL_PASS].map((o) => [o, spatial])),
  ...Object.fromEntries([...BINARY].map((o) => [o, binary])),
};
