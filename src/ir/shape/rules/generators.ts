import type { Dim } from '../../graph.js';
import { attrInt, attrTensor } from '../../attrs.js';
import { constantNodeTensor } from '../../ops.js';
import { toNumbers } from '../../tensor.js';
import { normAxis, type OutInfo, type ShapeRule } from '../context.js';

/** Small integer tensors carry their contents, so shape arithmetic downstream stays known. */
export const MAX_VALUE_ELEMENTS = 64;

const constant: ShapeRule = (c) => {
  const t = constantNodeTensor(c.node);
  const info: OutInfo = { dtype: t.dtype, shape: [...t.dims] };
  if ((t.dtype === 'int64' || t.dtype === 'int32') && t.data.length <= MAX_VALUE_ELEMENTS) info.value = toNumbers(t);
  return [info];
};

const shape: ShapeRule = (c) => {
  const x = c.shape(0);
  const r = x.length;
  const clamp = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
  const start = clamp(attrInt(c.node.attrs, 'start', 0));
  const end = clamp(attrInt(c.node.attrs, 'end', r));
  const value = x.slice(start, Math.max(start, end));
  return [{ dtype: 'int64', shape: [value.length], value }];
};

const constantOfShape: ShapeRule = (c) => {
  const dims = c.value(0);
  const vt = attrTensor(c.node.attrs, 'value');
  const dtype = vt?.dtype ?? 'float32';
  if (!dims) {
    const n = c.shape(0)[0];
    if (typeof n !== 'number') return c.fail('shape input has unknown length');
    return [{ dtype, shape: Array.from({ length: n }, () => c.fresh()) }];
  }
  return [{ dtype, shape: [...dims] }];
};

const range: ShapeRule = (c) => {
  const [s, l, d] = [c.numbers(0), c.numbers(1), c.numbers(2)];
  if (!s || !l || !d) return [{ dtype: c.dtype(0), shape: [c.fresh()] }];
  const n = Math.max(Math.ceil((l[0]! - s[0]!) / d[0]!), 0);
  const info: OutInfo = { dtype: c.dtype(0), shape: [n] };
  if (c.dtype(0) === 'int64' && n <= MAX_VALUE_ELEMENTS)
    info.value = Array.from({ length: n }, (_, i) => s[0]! + i * d[0]!);
  return [info];
};

const oneHot: ShapeRule = (c) => {
  const idx = c.shape(0);
  const depth = c.numbers(1);
  const r = idx.length + 1;
  const axis = normAxis(c, attrInt(c.node.attrs, 'axis', -1), r);
  const out: Dim[] = [...idx];
  out.splice(axis, 0, depth ? depth[0]! : c.fresh());
  return [{ dtype: c.dtype(2), shape: out }];
};

export const generatorRules: Record<string, ShapeRule> = {
  Constant: constant,
  Shape: shape,
  ConstantOfShape: constantOfShape,
  Range: range,
  OneHot: oneHot,
  Size: () => [{ dtype: 'int64', shape: [] }],
};
