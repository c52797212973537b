import { attrFloat, attrInt, attrInts, attrString } from '../../attrs.js';
import { PAD_AS_INPUT_SINCE, SLICE_AS_INPUT_SINCE, SPLIT_AS_INPUT_SINCE } from '../../ops.js';
import { concatMap, gatherMap, sliceMap, stridesOf } from '../../fold/indexing.js';
import { sliceRange } from '../../shape/rules/slicing.js';
import { ints, normAxis, ref, req, type RefKernel, type RefTensor } from '../tensor.js';

function pick(x: RefTensor, dims: number[], map: Int32Array): RefTensor {
  const out = ref(x.dtype, dims);
  for (let i = 0; i < map.length; i++) out.data[i] = x.data[map[i]!]!;
  return out;
}

const concat: RefKernel = (c) => {
  const ins = c.inputs.filter((t): t is RefTensor => !!t);
  const axis = normAxis(attrInt(c.node.attrs, 'axis', 0), ins[0]!.dims.length);
  const { dims, which, map } = concatMap(
    ins.map((t) => t.dims),
    axis,
  );
  const out = ref(ins[0]!.dtype, dims);
  for (let i = 0; i < map.length; i++) out.data[i] = ins[which[i]!]!.data[map[i]!]!;
  return [out];
};

const slice: RefKernel = (c) => {
  const x = req(c, 0);
  const old = c.opset < SLICE_AS_INPUT_SINCE;
  const starts = old ? attrInts(c.node.attrs, 'starts')! : ints(req(c, 1))!;
  const ends = old ? attrInts(c.node.attrs, 'ends')! : ints(req(c, 2))!;
  const axes = (old ? attrInts(c.node.attrs, 'axes') : ints(c.inputs[3])) ?? starts.map((_, i) => i);
  const steps = (old ? undefined : ints(c.inputs[4])) ?? starts.map(() => 1);
  const ranges = x.dims.map((d) => ({ start: 0, count: d, step: 1 }));
  axes.forEach((a0, k) => {
    const a = normAxis(a0, x.dims.length);
    const r = sliceRange(x.dims[a]!, starts[k]!, ends[k]!, steps[k]!);
    ranges[a] = { start: r.start, count: r.count, step: steps[k]! };
  });
  const { dims, map } = sliceMap(x.dims, ranges);
  return [pick(x, dims, map)];
};

/** Pad: constant / reflect / edge, per ONNX (negative pads crop). */
const pad: RefKernel = (c) => {
  const x = req(c, 0);
  const r = x.dims.length;
  const old = c.opset < PAD_AS_INPUT_SINCE;
  const p0 = old ? attrInts(c.node.attrs, 'pads')! : ints(req(c, 1))!;
  const value = old ? attrFloat(c.node.attrs, 'value', 0) : (c.inputs[2]?.data[0] ?? 0);
  const axes = (old ? undefined : ints(c.inputs[3]))?.map((a) => normAxis(a, r)) ?? x.dims.map((_, i) => i);
  const pb = new Array<number>(r).fill(0),
    pe = new Array<number>(r).fill(0);
  axes.forEach((a, k) => {
    pb[a] = p0[k]!;
    pe[a] = p0[k + axes.length]!;
  });
  const mode = attrString(c.node.attrs, 'mode', 'constant');
  const dims = x.dims.map((d, i) => d + pb[i]! + pe[i]!);
  const out = ref(x.dtype, dims);
  const inStr = stridesOf(x.dims),
    outStr = stridesOf(dims);
  for (let i = 0; i < out.data.length; i++) {
    let src = 0,
      outside = false;
    for (let k = 0; k < r; k++) {
      let j = (Math.floor(i / outStr[k]!) % dims[k]!) - pb[k]!;
      const n = x.dims[k]!;
      if (j < 0 || j >= n) {
        if (mode === 'edge') j = Math.min(Math.max(j, 0), n - 1);
        else if (mode === 'reflect') {
          while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
        } else outside = true;
      }
      src += j * inStr[k]!;
    }
    out.data[i] = outside ? value : x.data[src]!;
  }
  return [out];
};

const gather: RefKernel = (c) => {
  const x = req(c, 0),
    idx = req(c, 1);
  const axis = normAxis(attrInt(c.node.attrs, 'axis', 0), x.dims.length);
  const ind = Array.from(idx.data, (i) => (i < 0 ? i + x.dims[axis]! : i));
  const { dims, map } = gatherMap(x.dims, axis, ind, idx.dims);
  return [pick(x, dims, map)];
};

const split: RefKernel = (c) => {
  const x = req(c, 0);
  const axis = normAxis(attrInt(c.node.attrs, 'axis', 0), x.dims.length);
  const n = c.node.outputs.length,
    d = x.dims[axis]!;
  const chunk = Math.ceil(d / n);
  const sizes =
    (c.opset < SPLIT_AS_INPUT_SINCE ? attrInts(c.node.attrs, 'split') : ints(c.inputs[1])) ??
    Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, d - i * chunk)));
  let start = 0;
  return sizes.map((s) => {
    const ranges = x.dims.map((dd) => ({ start: 0, count: dd, step: 1 }));
    ranges[axis] = { start, count: s, step: 1 };
    start += s;
    const { dims, map } = sliceMap(x.dims, ranges);
    return pick(x, dims, map);
  });
};

export const slicingKernels: Record<string, RefKernel> = {
  Concat: concat,
  Slice: slice,
  Pad: pad,
  Gather: gather,
  Split: split,
};
