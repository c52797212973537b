import { resizeArgs, resizePlan, resizeSettings } from '../../resize.js';
import { type AxisMatrix, axisMatrix } from '../../resize-axis.js';
import { size, stridesOf } from '../../fold/indexing.js';
import { ints, ref, req, type RefKernel, type RefTensor } from '../tensor.js';

/** y[.., o, ..] = Σ_i M[o, i] · x[.., i, ..] along `axis`. */
function applyAxis(x: RefTensor, axis: number, m: AxisMatrix): RefTensor {
  const dims = [...x.dims];
  dims[axis] = m.outLen;
  const outer = size(x.dims.slice(0, axis)),
    inner = size(x.dims.slice(axis + 1));
  const y = ref(x.dtype, dims);
  for (let a = 0; a < outer; a++)
    for (let o = 0; o < m.outLen; o++)
      for (let i = 0; i < m.inLen; i++) {
        const w = m.m[o * m.inLen + i]!;
        if (w === 0) continue;
        const src = (a * m.inLen + i) * inner,
          dst = (a * m.outLen + o) * inner;
        for (let k = 0; k < inner; k++) y.data[dst + k]! += w * x.data[src + k]!;
      }
  return y;
}

/** Resize / Upsample as one matrix per resized axis (src/ir/resize.ts), then the extrapolated entries. */
const resize: RefKernel = (c) => {
  const x = req(c, 0);
  const s = resizeSettings(c.node, c.opset);
  const args = resizeArgs(c.node, c.opset, (i) => ints(c.inputs[i]));
  const plan = resizePlan(c.node, s, x.dims, args, () => {
    throw new Error('reference Resize: unknown output size');
  });
  const mats = plan.map((p, a) => axisMatrix(s, x.dims[a]!, p));
  let y = x;
  mats.forEach((m, a) => {
    if (!m.identity) y = applyAxis(y, a, m);
  });
  if (mats.some((m) => m.outside.some((v) => v))) {
    const str = stridesOf(y.dims);
    for (let i = 0; i < y.data.length; i++)
      if (mats.some((m, a) => m.outside[Math.floor(i / str[a]!) % y.dims[a]!])) y.data[i] = s.extrapolation;
  }
  return [y === x ? ref(x.dtype, x.dims, x.data.slice()) : y];
};

export const resizeKernels: Record<string, RefKernel> = { Resize: resize, Upsample: resize };
