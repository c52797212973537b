import { attrFloat, attrInt } from '../../attrs.js';
import { softmaxAxes } from '../../ops.js';
import { broadcastMap } from '../../fold/indexing.js';
import { ref, req, type RefKernel, type RefTensor } from '../tensor.js';
import { reduceGroups } from './reduce.js';

/**
 * BatchNormalization. Inference: running stats. training_mode=1: batch stats (population variance), and the
 * updated running stats as extra outputs: running = input * momentum + batch * (1 - momentum).
 */
const batchNorm: RefKernel = (c) => {
  const [x, scale, bias, mean, vari] = [0, 1, 2, 3, 4].map((i) => req(c, i)) as RefTensor[];
  const eps = attrFloat(c.node.attrs, 'epsilon', 1e-5);
  const momentum = attrFloat(c.node.attrs, 'momentum', 0.9);
  const training = attrInt(c.node.attrs, 'training_mode', 0) === 1;
  const C = x!.dims[1]!,
    N = x!.dims[0]!;
  const plane = x!.data.length / (N * C);
  const m = new Float64Array(C),
    v = new Float64Array(C);
  if (training) {
    for (let ch = 0; ch < C; ch++) {
      let s = 0,
        s2 = 0;
      for (let n = 0; n < N; n++) for (let j = 0; j < plane; j++) s += x!.data[(n * C + ch) * plane + j]!;
      m[ch] = s / (N * plane);
      for (let n = 0; n < N; n++)
        for (let j = 0; j < plane; j++) s2 += (x!.data[(n * C + ch) * plane + j]! - m[ch]!) ** 2;
      v[ch] = s2 / (N * plane);
    }
  } else {
    m.set(mean!.data);
    v.set(vari!.data);
  }
  const y = ref(x!.dtype, x!.dims);
  for (let i = 0; i < y.data.length; i++) {
    const ch = Math.floor(i / plane) % C;
    y.data[i] = ((x!.data[i]! - m[ch]!) / Math.sqrt(v[ch]! + eps)) * scale!.data[ch]! + bias!.data[ch]!;
  }
  const outs = [y];
  if (c.node.outputs.length > 1) {
    const rm = ref(x!.dtype, [C]),
      rv = ref(x!.dtype, [C]);
    for (let ch = 0; ch < C; ch++) {
      rm.data[ch] = mean!.data[ch]! * momentum + m[ch]! * (1 - momentum);
      rv.data[ch] = vari!.data[ch]! * momentum + v[ch]! * (1 - momentum);
    }
    outs.push(rm, rv);
  }
  return outs;
};

function softmax(log: boolean): RefKernel {
  return (c) => {
    const x = req(c, 0);
    const axes = softmaxAxes(c.node, c.opset, x.dims.length);
    const out = ref(x.dtype, x.dims);
    for (const group of reduceGroups(x.dims, axes)) {
      let mx = -Infinity;
      for (const i of group) mx = Math.max(mx, x.data[i]!);
      let s = 0;
      for (const i of group) s += Math.exp(x.data[i]! - mx);
      for (const i of group) out.data[i] = log ? x.data[i]! - mx - Math.log(s) : Math.exp(x.data[i]! - mx) / s;
    }
    return [out];
  };
}

/** Mean and 1/√(var + ε) (population variance) of each group of flat indices, and x̂ = (x − mean)·invstd. */
function standardize(
  x: RefTensor,
  groups: number[][],
  eps: number,
): { xhat: Float64Array; mean: number[]; inv: number[] } {
  const xhat = new Float64Array(x.data.length);
  const mean: number[] = [],
    inv: number[] = [];
  for (const g of groups) {
    let s = 0;
    for (const i of g) s += x.data[i]!;
    const m = s / g.length;
    let v = 0;
    for (const i of g) v += (x.data[i]! - m) ** 2;
    const r = 1 / Math.sqrt(v / g.length + eps);
    for (const i of g) xhat[i] = (x.data[i]! - m) * r;
    mean.push(m);
    inv.push(r);
  }
  return { xhat, mean, inv };
}

/** LayerNormalization (opset 17): normalize over axes [axis, rank); Scale/B broadcast against those trailing dims. */
const layerNorm: RefKernel = (c) => {
  const x = req(c, 0),
    scale = req(c, 1),
    bias = c.inputs[2];
  const r = x.dims.length;
  const a0 = attrInt(c.node.attrs, 'axis', -1);
  const axis = a0 < 0 ? a0 + r : a0;
  const axes = Array.from({ length: r - axis }, (_, i) => axis + i);
  const { xhat, mean, inv } = standardize(x, reduceGroups(x.dims, axes), attrFloat(c.node.attrs, 'epsilon', 1e-5));
  const ms = broadcastMap(x.dims, scale.dims);
  const mb = bias ? broadcastMap(x.dims, bias.dims) : undefined;
  const y = ref(x.dtype, x.dims);
  for (let i = 0; i < y.data.length; i++) y.data[i] = xhat[i]! * scale.data[ms[i]!]! + (bias ? bias.data[mb![i]!]! : 0);
  const statDims = x.dims.map((d, i) => (i < axis ? d : 1));
  return [y, ref('float32', statDims, Float64Array.from(mean)), ref('float32', statDims, Float64Array.from(inv))];
};

/**
 * Normalization over channel groups of each sample: GroupNormalization (num_groups; Scale/B per channel from
 * opset 21, per group in opset 18–20) and InstanceNormalization (one group per channel).
 */
function channelGroupNorm(instance: boolean): RefKernel {
  return (c) => {
    const x = req(c, 0),
      scale = req(c, 1),
      bias = req(c, 2);
    const [N, C] = x.dims as [number, number];
    const G = instance ? C : attrInt(c.node.attrs, 'num_groups', 1);
    const block = x.data.length / (N * G);
    const groups = Array.from({ length: N * G }, (_, k) => Array.from({ length: block }, (_, j) => k * block + j));
    const { xhat } = standardize(x, groups, attrFloat(c.node.attrs, 'epsilon', 1e-5));
    const plane = x.data.length / (N * C);
    const perGroup = !instance && c.opset < 21;
    const y = ref(x.dtype, x.dims);
    for (let i = 0; i < y.data.length; i++) {
      const ch = Math.floor(i / plane) % C;
      const k = perGroup ? Math.floor(ch / (C / G)) : ch;
      y.data[i] = xhat[i]! * scale.data[k]! + bias.data[k]!;
    }
    return [y];
  };
}

export const normKernels: Record<string, RefKernel> = {
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  GroupNormalization: channelGroupNorm(false),
  InstanceNormalization: channelGroupNorm(true),
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
};
