import { attrInt, attrInts } from '../../attrs.js';
import { ref, req, type RefKernel } from '../tensor.js';
import { geometry, outSizes } from './window.js';

/**
 * Max/average pooling. Windows are clipped to the padded input (ceil_mode may run past it); the average divides by
 * the clipped window size with count_include_pad, else by the number of real input elements (as ORT does).
 * MaxPool's optional Indices output is the flat NCHW index of the max (first one on ties).
 */
function pool(kind: 'max' | 'avg'): RefKernel {
  return (c) => {
    const x = req(c, 0);
    const [N, C] = x.dims as [number, number];
    const kernel = attrInts(c.node.attrs, 'kernel_shape')!;
    const g = geometry(c.node, x.dims.slice(2), kernel);
    const o = outSizes(g, attrInt(c.node.attrs, 'ceil_mode', 0) === 1);
    const includePad = attrInt(c.node.attrs, 'count_include_pad', 0) === 1;
    const dims = [N, C, ...o.slice(0, g.r)];
    const out = ref(x.dtype, dims),
      idx = ref('int64', dims);
    const [ID, IH, IW] = g.inS as [number, number, number];
    let p = 0;
    for (let nc = 0; nc < N * C; nc++) {
      for (let od = 0; od < o[0]!; od++)
        for (let oh = 0; oh < o[1]!; oh++)
          for (let ow = 0; ow < o[2]!; ow++) {
            const start = [od * g.s[0]! - g.pb[0]!, oh * g.s[1]! - g.pb[1]!, ow * g.s[2]! - g.pb[2]!];
            let best = -Infinity,
              bestAt = -1,
              sum = 0,
              count = 0,
              padded = 1;
            for (let a = 0; a < 3; a++) {
              // Window extent inside the padded input (dilation 1 for averages).
              const end = Math.min(start[a]! + (g.k[a]! - 1) * g.d[a]! + 1, g.inS[a]! + g.pe[a]!);
              padded *= Math.ceil((end - start[a]!) / g.d[a]!);
            }
            for (let kd = 0; kd < g.k[0]!; kd++) {
              const id = start[0]! + kd * g.d[0]!;
              if (id < 0 || id >= ID) continue;
              for (let kh = 0; kh < g.k[1]!; kh++) {
                const ih = start[1]! + kh * g.d[1]!;
                if (ih < 0 || ih >= IH) continue;
                for (let kw = 0; kw < g.k[2]!; kw++) {
                  const iw = start[2]! + kw * g.d[2]!;
                  if (iw < 0 || iw >= IW) continue;
                  const at = ((nc * ID + id) * IH + ih) * IW + iw;
                  const v = x.data[at]!;
                  if (v > best) {
                    best = v;
                    bestAt = at;
                  }
                  sum += v;
                  count++;
                }
              }
            }
            idx.data[p] = bestAt;
            out.data[p++] = kind === 'max' ? best : sum / (includePad ? padded : count);
          }
    }
    return kind === 'max' && c.node.outputs.length > 1 ? [out, idx] : [out];
  };
}

function globalPool(kind: 'max' | 'avg'): RefKernel {
  return (c) => {
    const x = req(c, 0);
    const [N, C] = x.dims as [number, number];
    const plane = x.data.length / (N * C);
    const out = ref(x.dtype, [N, C, ...x.dims.slice(2).map(() => 1)]);
    for (let i = 0; i < N * C; i++) {
      let acc = kind === 'max' ? -Infinity : 0;
      for (let j = 0; j < plane; j++) {
        const v = x.data[i * plane + j]!;
        acc = kind === 'max' ? Math.max(acc, v) : acc + v;
      }
      out.data[i] = kind === 'max' ? acc : acc / plane;
    }
    return [out];
  };
}

export const poolKernels: Record<string, RefKernel> = {
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: globalPool('avg'),
  GlobalMaxPool: globalPool('max'),
};
