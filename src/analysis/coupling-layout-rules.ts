/**
 * Coupling rules for ops that move, regroup or normalize the channel axis without weights of their own: Concat, Flatten and
 * Reshape (to features, or positions regrouped), reductions (a per-position statistic over channels, or a pool over
 * positions), Transpose NCHW ↔ NHWC, Resize, and LayerNormalization / InstanceNormalization.
 */
import { attrInt, attrInts } from '../ir/attrs.js';
import type { Node } from '../ir/graph.js';
import { toNumbers } from '../ir/tensor.js';
import { addParams, channelAxis, type Rule, type RuleCtx, rankOf, shapeOfValue } from './coupling-rule-ctx.js';
import type { Layout } from './coupling-state.js';

/** Reductions: over exactly the channel axis (keepdims) a per-position statistic, over positions a pool. */
const REDUCTIONS = new Set(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceL2', 'ReduceSumSquare']);

/** Flatten(axis=1), or a Reshape to [N, −1]: one channel becomes a block of H·W consecutive features. */
function flattenTo(c: RuleCtx, n: Node, l: Layout, reshapes: string[]): void {
  const block = l.axis === 'ch1' ? 'pending' : l.block;
  c.st.setLayout(n.outputs[0]!, { ...l, axis: 'both', block, reshapes: [...l.reshapes, ...reshapes] });
}

const flatten: Rule = (c, n) => {
  const l = c.st.layouts.get(n.inputs[0]!);
  if (!l || attrInt(n.attrs, 'axis', 1) !== 1 || l.axis === 'last') return [];
  flattenTo(c, n, l, []);
  return [0];
};

const reshape: Rule = (c, n) => {
  const l = c.st.layouts.get(n.inputs[0]!);
  const sh = n.inputs[1] ? c.g.initializers.get(n.inputs[1]) : undefined;
  if (!l || !sh || l.axis === 'last') return [];
  const s = toNumbers(sh);
  if (s.length > 2) return spatialReshape(c, n, l, s);
  if (s.length !== 2) return [];
  if (s[0] === 0 && s[1] === -1) {
    flattenTo(c, n, l, []);
    return [0, 1];
  }
  // [-1, K] or [B, K] is a flatten only if K is the whole C·H·W, which needs the input shape.
  const inShape = shapeOfValue(c, n.inputs[0]!);
  const feat = inShape?.slice(1);
  if (!feat?.every((d) => typeof d === 'number')) return [];
  const k = (feat as number[]).reduce((a, b) => a * b, 1);
  if (s[1] === k || (s[1] === -1 && typeof inShape![0] === 'number' && s[0] === inShape![0])) {
    flattenTo(c, n, l, s[1] === k && (c.refs.get(n.inputs[1]!) ?? 0) === 1 ? [n.inputs[1]!] : []);
    if (s[1] === k && (c.refs.get(n.inputs[1]!) ?? 0) > 1)
      for (const sg of l.segs) c.st.fix(sg.space, `${n.name}: shared Reshape shape`);
    return [0, 1];
  }
  return [];
};

/**
 * A Reshape of an NCHW value that keeps batch and channels and regroups positions only ([N, C, H, W] → [N, C, H·W], a
 * ViT's patch flatten, or back). A shape that spells C out is recorded so a removal can rewrite it.
 */
function spatialReshape(c: RuleCtx, n: Node, l: Layout, s: number[]): number[] {
  const inShape = shapeOfValue(c, n.inputs[0]!);
  const outShape = shapeOfValue(c, n.outputs[0]!);
  if (l.axis !== 'ch1' || l.block !== 1 || !inShape || !outShape || outShape.length !== s.length) return [];
  const keepsBatch = s[0] === 0 || (s[0] === inShape[0] && typeof s[0] === 'number' && s[0] > 0);
  const keepsChannels = (s[1] === 0 || s[1] === l.total) && outShape[1] === l.total && inShape[1] === l.total;
  if (!keepsBatch || !keepsChannels || attrInt(n.attrs, 'allowzero', 0) !== 0) return [];
  const spells = s[1] === l.total;
  if (spells && (c.refs.get(n.inputs[1]!) ?? 0) > 1) {
    for (const sg of l.segs) c.st.fix(sg.space, `${n.name}: shared Reshape shape`);
  }
  c.st.setLayout(n.outputs[0]!, { ...l, reshapes: spells ? [...l.reshapes, n.inputs[1]!] : l.reshapes });
  return [0, 1];
}

/** Axes a Reduce node reduces over: its `axes` attribute, or (opset ≥ 13 ReduceSum, ≥ 18 others) its input 1. */
function reduceAxes(c: RuleCtx, n: Node): number[] | undefined {
  const attr = attrInts(n.attrs, 'axes');
  if (attr) return attr;
  const t = n.inputs[1] ? c.g.initializers.get(n.inputs[1]) : undefined;
  return t ? toNumbers(t) : undefined;
}

/**
 * A reduction over exactly the channel axis, keepdims: the output is a per-position statistic (LayerNorm's mean).
 * A reduction over positions only (a ViT's mean over tokens, a ReduceMean global pool) keeps the channels.
 */
const reduce: Rule = (c, n) => {
  const l = c.st.layouts.get(n.inputs[0]!);
  const rank = rankOf(c, n.inputs[0]!);
  const axes = reduceAxes(c, n);
  if (!l || rank === undefined || !axes?.length || l.block !== 1) return [];
  const keep = attrInt(n.attrs, 'keepdims', 1) === 1;
  const at = axes.map((a) => (a < 0 ? a + rank : a));
  const ch = channelAxis(l, rank);
  if (at.length === 1 && at[0] === ch && keep) {
    c.st.stats.add(n.outputs[0]!);
    c.st.addStat(l, n.name);
    return n.inputs.map((_, i) => i);
  }
  if (at.includes(ch) || at.includes(0) || l.axis === 'both') return [];
  const outRank = keep ? rank : rank - new Set(at).size;
  c.st.setLayout(n.outputs[0]!, { ...l, axis: outRank === 2 ? 'both' : l.axis });
  return n.inputs.map((_, i) => i);
};

/** NCHW ↔ NHWC (ConvNeXt's Permute): the channel axis moves to the last axis or back; batch stays first. */
const transpose: Rule = (c, n) => {
  const l = c.st.layouts.get(n.inputs[0]!);
  const rank = rankOf(c, n.inputs[0]!);
  if (!l || rank === undefined || rank < 3 || l.block !== 1 || l.axis === 'both') return [];
  const perm = attrInts(n.attrs, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm[0] !== 0) return [];
  const to = perm.indexOf(channelAxis(l, rank));
  if (to !== 1 && to !== rank - 1) return [];
  c.st.setLayout(n.outputs[0]!, { ...l, axis: to === 1 ? 'ch1' : 'last' });
  return [0];
};

/** Resize/Upsample of NCHW maps (FPN's top-down path): spatial only, proven by equal channel counts in and out. */
const resize: Rule = (c, n) => {
  const l = c.st.layouts.get(n.inputs[0]!);
  if (l?.axis !== 'ch1') return [];
  const dimsOf = (v: string) => shapeOfValue(c, v);
  const inC = dimsOf(n.inputs[0]!)?.[1] ?? (l.block === 1 ? l.total : undefined);
  const outC = dimsOf(n.outputs[0]!)?.[1];
  if (typeof outC !== 'number' || outC !== inC || l.block !== 1) return [];
  c.st.setLayout(n.outputs[0]!, l);
  return n.inputs.map((_, i) => i);
};

/**
 * LayerNormalization over the channel axis only (axis −1 on a channels-last value: ConvNeXt, transformers) or
 * InstanceNormalization (per channel): scale and bias follow the channels; statistics are order-independent.
 */
const norm: Rule = (c, n) => {
  const l = c.st.layouts.get(n.inputs[0]!);
  const rank = rankOf(c, n.inputs[0]!);
  if (l?.block !== 1 || n.outputs.filter(Boolean).length > 1) return [];
  const params = n.inputs.slice(1).filter(Boolean);
  if (!params.every((p) => c.g.initializers.get(p)?.dims.length === 1)) return [];
  if (n.opType === 'LayerNormalization') {
    const axis = attrInt(n.attrs, 'axis', -1);
    const lastAxis = rank !== undefined && (axis === -1 || axis === rank - 1);
    if (!lastAxis || (l.axis !== 'last' && l.axis !== 'both')) return [];
    c.st.addStat(l, n.name);
  } else if (l.axis !== 'ch1') return [];
  for (const p of params) addParams(c, n, l, p, 0, 'channel-const');
  c.st.setLayout(n.outputs[0]!, l);
  return n.inputs.map((_, i) => i);
};

/** Concat along the channel axis: each input's spaces sit side by side at their offsets. */
const concat: Rule = (c, n) => {
  const ls = n.inputs.map((i) => c.st.layouts.get(i));
  const lost = n.inputs.find((_, k) => !ls[k]);
  if (lost !== undefined) {
    // E.g. ShuffleNetV2's Split half: its offset inside the Concat would be known, its channels are not.
    const why = `Concat node '${n.name}' also joins '${lost}', whose channels the analysis does not follow`;
    for (const v of n.inputs) c.st.fixValue(v, why);
    return [];
  }
  if (ls.some((l) => l!.block !== 1)) return [];
  const first = ls[0]!;
  const axis = attrInt(n.attrs, 'axis', 0);
  const rank = rankOf(c, n.inputs[0]!);
  const chAxis =
    first.axis === 'last'
      ? axis === -1 || (rank !== undefined && axis === rank - 1)
      : axis === 1 || (first.axis === 'both' && axis === -1);
  if (!ls.every((l) => l!.axis === first.axis)) return [];
  if (!chAxis) return [];
  const segs = [];
  let off = 0;
  for (const l of ls) {
    for (const s of l!.segs) segs.push({ ...s, off: off + s.off });
    off += l!.total;
  }
  c.st.setLayout(n.outputs[0]!, { segs, total: off, axis: first.axis, block: 1, reshapes: [] });
  return n.inputs.map((_, i) => i);
};

export const LAYOUT_RULES: Record<string, Rule> = {
  Concat: concat,
  Transpose: transpose,
  Resize: resize,
  Upsample: resize,
  LayerNormalization: norm,
  InstanceNormalization: norm,
  Flatten: flatten,
  Reshape: reshape,
  ...Object.fromEntries([...REDUCTIONS].map((o) => [o, reduce])),
};
