import { attrInt, attrTensor } from '../../attrs.js';
import { constantNodeTensor } from '../../ops.js';
import { size } from '../../fold/indexing.js';
import { fromTensor, ints, normAxis, ref, req, type RefKernel } from '../tensor.js';

const shape: RefKernel = (c) => {
  const x = req(c, 0);
  const r = x.dims.length;
  const clamp = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
  const dims = x.dims.slice(clamp(attrInt(c.node.attrs, 'start', 0)), clamp(attrInt(c.node.attrs, 'end', r)));
  return [ref('int64', [dims.length], Float64Array.from(dims))];
};

const constantOfShape: RefKernel = (c) => {
  const dims = ints(req(c, 0))!;
  const v = attrTensor(c.node.attrs, 'value');
  return [ref(v?.dtype ?? 'float32', dims, new Float64Array(size(dims)).fill(v ? Number(v.data[0]) : 0))];
};

const range: RefKernel = (c) => {
  const [s, l, d] = [0, 1, 2].map((i) => req(c, i).data[0]!) as [number, number, number];
  const n = Math.max(Math.ceil((l - s) / d), 0);
  return [
    ref(
      req(c, 0).dtype,
      [n],
      Float64Array.from({ length: n }, (_, i) => s + i * d),
    ),
  ];
};

const oneHot: RefKernel = (c) => {
  const idx = req(c, 0),
    depth = Math.trunc(req(c, 1).data[0]!),
    vals = req(c, 2);
  const r = idx.dims.length + 1;
  const axis = normAxis(attrInt(c.node.attrs, 'axis', -1), r);
  const dims = [...idx.dims];
  dims.splice(axis, 0, depth);
  const outer = size(idx.dims.slice(0, axis)),
    inner = size(idx.dims.slice(axis));
  const out = ref(vals.dtype, dims, new Float64Array(size(dims)).fill(vals.data[0]!));
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let k = idx.data[o * inner + i]!;
      if (k < 0) k += depth;
      if (k >= 0 && k < depth) out.data[(o * depth + k) * inner + i] = vals.data[1]!;
    }
  return [out];
};

export const generatorKernels: Record<string, RefKernel> = {
  Constant: (c) => [fromTensor(constantNodeTensor(c.node))],
  Shape: shape,
  Size: (c) => [ref('int64', [], Float64Array.of(req(c, 0).data.length))],
  ConstantOfShape: constantOfShape,
  Range: range,
  OneHot: oneHot,
};
