import { attrInt, attrInts, attrString } from '../../attrs.js';
import { SQUEEZE_AXES_AS_INPUT_SINCE } from '../../ops.js';
import { broadcastDims, broadcastMap, size, stridesOf, transposeMap } from '../../fold/indexing.js';
import { ints, normAxis, ref, req, type RefCtx, type RefKernel, type RefTensor } from '../tensor.js';

const withDims = (x: RefTensor, dims: number[]) => [ref(x.dtype, dims, x.data.slice())];

const reshape: RefKernel = (c) => {
  const x = req(c, 0);
  const allowzero = attrInt(c.node.attrs, 'allowzero', 0) === 1;
  const dims = ints(req(c, 1))!.map((d, i) => (d === 0 && !allowzero ? x.dims[i]! : d));
  const neg = dims.indexOf(-1);
  if (neg >= 0) dims[neg] = x.data.length / size(dims.filter((_, i) => i !== neg));
  return withDims(x, dims);
};

const flatten: RefKernel = (c) => {
  const x = req(c, 0);
  const a = normAxis(attrInt(c.node.attrs, 'axis', 1), x.dims.length);
  return withDims(x, [size(x.dims.slice(0, a)), size(x.dims.slice(a))]);
};

const transpose: RefKernel = (c) => {
  const x = req(c, 0);
  const perm = attrInts(
    c.node.attrs,
    'perm',
    x.dims.map((_, i) => x.dims.length - 1 - i),
  );
  const { dims, map } = transposeMap(x.dims, perm);
  const out = ref(x.dtype, dims);
  for (let i = 0; i < map.length; i++) out.data[i] = x.data[map[i]!]!;
  return [out];
};

function axesOf(c: RefCtx): number[] | undefined {
  return c.opset < SQUEEZE_AXES_AS_INPUT_SINCE ? attrInts(c.node.attrs, 'axes') : ints(c.inputs[1]);
}

const squeeze: RefKernel = (c) => {
  const x = req(c, 0);
  const axes = axesOf(c)?.map((a) => normAxis(a, x.dims.length));
  return withDims(
    x,
    x.dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)),
  );
};

const unsqueeze: RefKernel = (c) => {
  const x = req(c, 0);
  const a0 = axesOf(c)!;
  const rank = x.dims.length + a0.length;
  const axes = a0.map((a) => normAxis(a, rank));
  const dims: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) dims.push(axes.includes(i) ? 1 : x.dims[j++]!);
  return withDims(x, dims);
};

const expand: RefKernel = (c) => {
  const x = req(c, 0);
  const dims = broadcastDims(x.dims, ints(req(c, 1))!);
  const map = broadcastMap(dims, x.dims);
  const out = ref(x.dtype, dims);
  for (let i = 0; i < map.length; i++) out.data[i] = x.data[map[i]!]!;
  return [out];
};

const tile: RefKernel = (c) => {
  const x = req(c, 0);
  const reps = ints(req(c, 1))!;
  const dims = x.dims.map((d, i) => d * reps[i]!);
  const out = ref(x.dtype, dims);
  const inStr = stridesOf(x.dims),
    outStr = stridesOf(dims);
  for (let i = 0; i < out.data.length; i++) {
    let src = 0;
    dims.forEach((_, k) => {
      src += ((Math.floor(i / outStr[k]!) % dims[k]!) % x.dims[k]!) * inStr[k]!;
    });
    out.data[i] = x.data[src]!;
  }
  return [out];
};

/**
 * DepthToSpace (DCR: channel = (i·b + j)·C' + c; CRD: c·b² + i·b + j) and SpaceToDepth (the DCR order):
 * pixel (h·b + i, w·b + j) of channel c in the spatial layout.
 */
function blockKernel(toSpace: boolean): RefKernel {
  return (c) => {
    const x = req(c, 0);
    const b = attrInt(c.node.attrs, 'blocksize', 1);
    const crd = attrString(c.node.attrs, 'mode', 'DCR') === 'CRD';
    const [N, C, H, W] = x.dims as [number, number, number, number];
    const [Cs, Hs, Ws] = toSpace ? [C / (b * b), H * b, W * b] : [C, H, W];
    const dims = toSpace ? [N, Cs, Hs, Ws] : [N, C * b * b, H / b, W / b];
    const out = ref(x.dtype, dims);
    const [Hd, Wd, Cd] = toSpace ? [H, W, C] : [H / b, W / b, C * b * b];
    for (let n = 0; n < N; n++)
      for (let ch = 0; ch < Cs; ch++)
        for (let h = 0; h < Hd; h++)
          for (let w = 0; w < Wd; w++)
            for (let i = 0; i < b; i++)
              for (let j = 0; j < b; j++) {
                const deep = crd && toSpace ? ch * b * b + i * b + j : (i * b + j) * Cs + ch;
                const di = ((n * Cd + deep) * Hd + h) * Wd + w;
                const si = ((n * Cs + ch) * Hs + h * b + i) * Ws + w * b + j;
                if (toSpace) out.data[si] = x.data[di]!;
                else out.data[di] = x.data[si]!;
              }
    return [out];
  };
}

export const layoutKernels: Record<string, RefKernel> = {
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Tile: tile,
  DepthToSpace: blockKernel(true),
  SpaceToDepth: blockKernel(false),
};
