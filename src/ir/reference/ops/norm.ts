import { attrFloat, attrInt } from '../../attrs.js';
import { softmaxAxes } from '../../ops.js';
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

export const normKernels: Record<string, RefKernel> = {
  BatchNormalization: batchNorm,
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
};
