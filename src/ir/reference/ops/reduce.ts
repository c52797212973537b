import { attrInt } from '../../attrs.js';
import { reduceAxes, reduceAxesAsInputSince } from '../../ops.js';
import { size, stridesOf } from '../../fold/indexing.js';
import { ints, normAxis, ref, req, type RefKernel } from '../tensor.js';

/** Flat indices of `dims` grouped by all coordinates outside `axes` (groups in row-major order of the kept dims). */
export function reduceGroups(dims: number[], axes: number[]): number[][] {
  const str = stridesOf(dims);
  const kept = dims.map((_, i) => i).filter((i) => !axes.includes(i));
  const keptDims = kept.map((i) => dims[i]!),
    redDims = axes.map((i) => dims[i]!);
  const keptStr = stridesOf(keptDims),
    redStr = stridesOf(redDims);
  const groups: number[][] = [];
  for (let g = 0; g < size(keptDims); g++) {
    let base = 0;
    kept.forEach((a, k) => {
      base += (Math.floor(g / keptStr[k]!) % keptDims[k]!) * str[a]!;
    });
    const grp: number[] = [];
    for (let r = 0; r < size(redDims); r++) {
      let off = base;
      axes.forEach((a, k) => {
        off += (Math.floor(r / redStr[k]!) % redDims[k]!) * str[a]!;
      });
      grp.push(off);
    }
    groups.push(grp);
  }
  return groups;
}

type Reducer = (vals: number[]) => number;
const REDUCERS: Record<string, Reducer> = {
  ReduceSum: (v) => v.reduce((a, b) => a + b, 0),
  ReduceMean: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  ReduceMax: (v) => Math.max(...v),
  ReduceMin: (v) => Math.min(...v),
  ReduceProd: (v) => v.reduce((a, b) => a * b, 1),
  ReduceSumSquare: (v) => v.reduce((a, b) => a + b * b, 0),
  ReduceL1: (v) => v.reduce((a, b) => a + Math.abs(b), 0),
  ReduceL2: (v) => Math.sqrt(v.reduce((a, b) => a + b * b, 0)),
  ReduceLogSumExp: (v) => {
    const m = Math.max(...v);
    return m + Math.log(v.reduce((a, b) => a + Math.exp(b - m), 0));
  },
};

const reduce: RefKernel = (c) => {
  const x = req(c, 0);
  const fromInput = c.opset >= reduceAxesAsInputSince(c.node.opType);
  const axes0 = reduceAxes(c.node, c.opset, fromInput ? ints(c.inputs[1]) : undefined, fromInput && !!c.inputs[1]);
  if (axes0 && axes0.length === 0) return [ref(x.dtype, x.dims, x.data.slice())];
  const axes = (axes0 ?? x.dims.map((_, i) => i)).map((a) => normAxis(a, x.dims.length));
  const keep = attrInt(c.node.attrs, 'keepdims', 1) === 1;
  const dims = keep ? x.dims.map((d, i) => (axes.includes(i) ? 1 : d)) : x.dims.filter((_, i) => !axes.includes(i));
  const f = REDUCERS[c.node.opType]!;
  const out = ref(x.dtype, dims);
  reduceGroups(x.dims, axes).forEach((g, i) => {
    out.data[i] = f(g.map((j) => x.data[j]!));
  });
  return [out];
};

function argReduce(sign: 1 | -1): RefKernel {
  return (c) => {
    const x = req(c, 0);
    const axis = normAxis(attrInt(c.node.attrs, 'axis', 0), x.dims.length);
    const last = attrInt(c.node.attrs, 'select_last_index', 0) === 1;
    const keep = attrInt(c.node.attrs, 'keepdims', 1) === 1;
    const dims = keep ? x.dims.map((d, i) => (i === axis ? 1 : d)) : x.dims.filter((_, i) => i !== axis);
    const out = ref('int64', dims);
    reduceGroups(x.dims, [axis]).forEach((g, i) => {
      let best = 0;
      g.forEach((j, k) => {
        const d = sign * (x.data[j]! - x.data[g[best]!]!);
        if (d > 0 || (last && d === 0)) best = k;
      });
      out.data[i] = best;
    });
    return [out];
  };
}

export const reduceKernels: Record<string, RefKernel> = {
  ...Object.fromEntries(Object.keys(REDUCERS).map((k) => [k, reduce])),
  ArgMax: argReduce(1),
  ArgMin: argReduce(-1),
};
