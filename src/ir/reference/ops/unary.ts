import { attrFloat, attrString } from '../../attrs.js';
import { CLIP_AS_INPUT_SINCE } from '../../ops.js';
import { ref, req, type RefCtx, type RefKernel } from '../tensor.js';

/** erf in float64: Taylor series near 0, asymptotic erfc beyond 3 (both well below 1e-12 error there). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax,
      sum = ax;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  const t = 1 / (2 * ax * ax);
  const erfc = (Math.exp(-ax * ax) / (ax * Math.sqrt(Math.PI))) * (1 - t + 3 * t * t - 15 * t * t * t + 105 * t ** 4);
  return Math.sign(x) * (1 - erfc);
}

function map(f: (x: number, c: RefCtx) => number, dtype?: 'bool'): RefKernel {
  return (c) => {
    const x = req(c, 0);
    const out = ref(dtype ?? x.dtype, x.dims);
    for (let i = 0; i < out.data.length; i++) out.data[i] = f(x.data[i]!, c);
    return [out];
  };
}

const clip: RefKernel = (c) => {
  let lo = -Infinity,
    hi = Infinity;
  if (c.opset < CLIP_AS_INPUT_SINCE) {
    lo = attrFloat(c.node.attrs, 'min', -Infinity);
    hi = attrFloat(c.node.attrs, 'max', Infinity);
  } else {
    if (c.inputs[1]) lo = c.inputs[1].data[0]!;
    if (c.inputs[2]) hi = c.inputs[2].data[0]!;
  }
  return map((x) => Math.min(Math.max(x, lo), hi))(c);
};

const alpha = (c: RefCtx, d: number) => attrFloat(c.node.attrs, 'alpha', d);

const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));

/** Gelu (opset 20): x·Φ(x) exactly, or the tanh approximation 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
function gelu(x: number, c: RefCtx): number {
  if (attrString(c.node.attrs, 'approximate', 'none') === 'tanh')
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

export const unaryKernels: Record<string, RefKernel> = {
  Identity: map((x) => x),
  Relu: map((x) => Math.max(x, 0)),
  LeakyRelu: map((x, c) => (x >= 0 ? x : alpha(c, 0.01) * x)),
  Elu: map((x, c) => (x >= 0 ? x : alpha(c, 1) * (Math.exp(x) - 1))),
  HardSigmoid: map((x, c) => Math.min(1, Math.max(0, alpha(c, 0.2) * x + attrFloat(c.node.attrs, 'beta', 0.5)))),
  Sigmoid: map((x) => 1 / (1 + Math.exp(-x))),
  Softplus: map(softplus),
  HardSwish: map((x) => x * Math.min(1, Math.max(0, x / 6 + 0.5))),
  Gelu: map(gelu),
  Mish: map((x) => x * Math.tanh(softplus(x))),
  Tanh: map(Math.tanh),
  Neg: map((x) => -x),
  Exp: map(Math.exp),
  Log: map(Math.log),
  Sqrt: map(Math.sqrt),
  Abs: map(Math.abs),
  Sign: map(Math.sign),
  Reciprocal: map((x) => 1 / x),
  Floor: map(Math.floor),
  Ceil: map(Math.ceil),
  Erf: map(erf),
  Not: map((x) => (x ? 0 : 1), 'bool'),
  Clip: clip,
};
