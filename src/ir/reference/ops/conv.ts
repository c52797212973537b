import { attrInt } from '../../attrs.js';
import { ref, req, type RefKernel, type RefTensor } from '../tensor.js';
import { transposeGeometry, type TransposeGeo } from '../../shape/rules/conv.js';
import { geometry, kernelShape, outSizes } from './window.js';

/** Direct convolution, groups/strides/pads/dilations, 1-3 spatial dims. */
const conv: RefKernel = (c) => {
  const x = req(c, 0),
    w = req(c, 1),
    bias = c.inputs[2];
  const [N, C] = x.dims as [number, number];
  const M = w.dims[0]!;
  const group = attrInt(c.node.attrs, 'group', 1);
  const g = geometry(c.node, x.dims.slice(2), kernelShape(c.node, w.dims));
  const o = outSizes(g, false);
  const cg = C / group,
    mg = M / group;
  const out = ref(x.dtype, [N, M, ...o.slice(0, g.r)]);
  const [ID, IH, IW] = g.inS as [number, number, number];
  const [KD, KH, KW] = g.k as [number, number, number];
  const [OD, OH, OW] = o as [number, number, number];
  let p = 0;
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++) {
      const gi = Math.floor(m / mg);
      for (let od = 0; od < OD; od++)
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OW; ow++) {
            let acc = bias ? bias.data[m]! : 0;
            for (let ci = 0; ci < cg; ci++) {
              const ch = gi * cg + ci;
              for (let kd = 0; kd < KD; kd++) {
                const id = od * g.s[0]! - g.pb[0]! + kd * g.d[0]!;
                if (id < 0 || id >= ID) continue;
                for (let kh = 0; kh < KH; kh++) {
                  const ih = oh * g.s[1]! - g.pb[1]! + kh * g.d[1]!;
                  if (ih < 0 || ih >= IH) continue;
                  for (let kw = 0; kw < KW; kw++) {
                    const iw = ow * g.s[2]! - g.pb[2]! + kw * g.d[2]!;
                    if (iw < 0 || iw >= IW) continue;
                    acc +=
                      x.data[(((n * C + ch) * ID + id) * IH + ih) * IW + iw]! *
                      w.data[(((m * cg + ci) * KD + kd) * KH + kh) * KW + kw]!;
                  }
                }
              }
            }
            out.data[p++] = acc;
          }
    }
  return [out];
};

/**
 * Transposed convolution as a scatter: x[n,c,i] * w[c,m,k] lands at o = i*s + k*d - pad_begin.
 * Pads come from pads/auto_pad, or from output_shape (total padding split per auto_pad, as the spec says).
 */
const convTranspose: RefKernel = (c) => {
  const x = req(c, 0),
    w = req(c, 1),
    bias = c.inputs[2];
  const [N, C] = x.dims as [number, number];
  const group = attrInt(c.node.attrs, 'group', 1);
  const geo = transposeGeometry(c.node, x.dims.slice(2), w.dims);
  const cg = C / group,
    mg = w.dims[1]!,
    M = mg * group;
  const out = ref(x.dtype, [N, M, ...geo.o]);
  scatterTranspose(x, w, out, geo, cg);
  if (bias) {
    const [OD, OH, OW] = lift(geo.o, 1, geo.r);
    const plane = OD * OH * OW;
    for (let i = 0; i < out.data.length; i++) out.data[i]! += bias.data[Math.floor(i / plane) % M]!;
  }
  return [out];
};

/** Pads to 3 spatial axes with `f` (size 1 / pad 0), so one loop nest serves 1-D to 3-D. */
const lift = (a: number[], f: number, r: number) =>
  [...a, ...new Array<number>(3 - r).fill(f)] as [number, number, number];

/** Adds every x · w product to its output position (in input order, so sums match the kernel's order). */
function scatterTranspose(x: RefTensor, w: RefTensor, out: RefTensor, geo: TransposeGeo, cg: number): void {
  const [N, C] = x.dims as [number, number];
  const M = out.dims[1]!;
  const mg = w.dims[1]!;
  const r = geo.r;
  const [ID, IH, IW] = lift(geo.inS, 1, r);
  const [KD, KH, KW] = lift(geo.kernel, 1, r);
  const [OD, OH, OW] = lift(geo.o, 1, r);
  const [s0, s1, s2] = lift(geo.strides, 1, r);
  const [d0, d1, d2] = lift(geo.dil, 1, r);
  const [p0, p1, p2] = lift(geo.pads.slice(0, r), 0, r);
  for (let n = 0; n < N; n++)
    for (let ch = 0; ch < C; ch++) {
      const gi = Math.floor(ch / cg);
      for (let mi = 0; mi < mg; mi++) {
        const m = gi * mg + mi;
        for (let id = 0; id < ID; id++)
          for (let ih = 0; ih < IH; ih++)
            for (let iw = 0; iw < IW; iw++) {
              const xv = x.data[(((n * C + ch) * ID + id) * IH + ih) * IW + iw]!;
              for (let kd = 0; kd < KD; kd++) {
                const od = id * s0 + kd * d0 - p0;
                if (od < 0 || od >= OD) continue;
                for (let kh = 0; kh < KH; kh++) {
                  const oh = ih * s1 + kh * d1 - p1;
                  if (oh < 0 || oh >= OH) continue;
                  for (let kw = 0; kw < KW; kw++) {
                    const ow = iw * s2 + kw * d2 - p2;
                    if (ow < 0 || ow >= OW) continue;
                    out.data[(((n * M + m) * OD + od) * OH + oh) * OW + ow]! +=
                      xv * w.data[(((ch * mg + mi) * KD + kd) * KH + kh) * KW + kw]!;
                  }
                }
              }
            }
      }
    }
}

export const convKernels: Record<string, RefKernel> = { Conv: conv, ConvTranspose: convTranspose };
