import type { Dim } from '../../graph.js';
import { attrInt, attrInts } from '../../attrs.js';
import { PAD_AS_INPUT_SINCE, SLICE_AS_INPUT_SINCE, SPLIT_AS_INPUT_SINCE } from '../../ops.js';
import { addDims } from '../dims.js';
import { normAxis, type OutInfo, type ShapeCtx, type ShapeRule } from '../context.js';

const concat: ShapeRule = (c) => {
  const shapes: Dim[][] = [];
  for (let i = 0; i < c.numInputs; i++) if (c.has(i)) shapes.push(c.shape(i));
  const rank = shapes[0]!.length;
  const axis = normAxis(c, attrInt(c.node.attrs, 'axis') ?? c.fail('axis attribute is required'), rank);
  for (const s of shapes) {
    if (s.length !== rank) c.fail(`inputs have ranks ${shapes.map((x) => x.length).join(' and ')}`);
    s.forEach((d, i) => {
      const d0 = shapes[0]![i]!;
      if (i !== axis && typeof d === 'number' && typeof d0 === 'number' && d !== d0)
        c.fail(`input shapes [${shapes[0]!.join(',')}] and [${s.join(',')}] differ outside axis ${axis}`);
    });
  }
  const out = [...shapes[0]!];
  let total: Dim | undefined = 0;
  for (const s of shapes) total = total === undefined ? undefined : addDims(total, s[axis]!);
  out[axis] = total ?? c.fresh();
  const info: OutInfo = { dtype: c.dtype(0), shape: out };
  if (rank === 1) {
    const vals: Dim[] = [];
    for (let i = 0; i < c.numInputs && vals; i++) {
      if (!c.has(i)) continue;
      const v = c.value(i);
      if (!v) return [info];
      vals.push(...v);
    }
    info.value = vals;
  }
  return [info];
};

/** Normalized [start, end, step] → element count, per the ONNX Slice clamping rules. */
export function sliceRange(dim: number, start: number, end: number, step: number): { start: number; count: number } {
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = Math.min(Math.max(start, 0), dim);
    end = Math.min(Math.max(end, 0), dim);
    return { start, count: Math.max(0, Math.ceil((end - start) / step)) };
  }
  start = Math.min(Math.max(start, 0), dim - 1);
  end = Math.min(Math.max(end, -1), dim - 1);
  return { start, count: Math.max(0, Math.ceil((start - end) / -step)) };
}

/** starts/ends/axes/steps of a Slice node (inputs from opset 10, attributes before). */
export function sliceParams(
  c: ShapeCtx,
  rank: number,
): { starts: number[]; ends: number[]; axes: number[]; steps: number[] } {
  let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
  if (c.opset < SLICE_AS_INPUT_SINCE) {
    starts = attrInts(c.node.attrs, 'starts') ?? c.fail('starts attribute is required');
    ends = attrInts(c.node.attrs, 'ends') ?? c.fail('ends attribute is required');
    axes = attrInts(c.node.attrs, 'axes');
  } else {
    starts = c.numbers(1) ?? c.fail('starts input must be constant');
    ends = c.numbers(2) ?? c.fail('ends input must be constant');
    axes = c.has(3) ? (c.numbers(3) ?? c.fail('axes input must be constant')) : undefined;
    steps = c.has(4) ? (c.numbers(4) ?? c.fail('steps input must be constant')) : undefined;
  }
  axes = (axes ?? starts.map((_, i) => i)).map((a) => normAxis(c, a, rank));
  steps = steps ?? starts.map(() => 1);
  if (steps.some((s) => s === 0)) c.fail('slice step must not be 0');
  return { starts, ends, axes, steps };
}

const BIG = 2 ** 31 - 1;

const slice: ShapeRule = (c) => {
  const x = c.shape(0);
  const p = sliceParams(c, x.length);
  const out = [...x];
  p.axes.forEach((a, k) => {
    const d = x[a]!;
    const [st, en, sp] = [p.starts[k]!, p.ends[k]!, p.steps[k]!];
    if (typeof d === 'number') out[a] = sliceRange(d, st, en, sp).count;
    else out[a] = sp === 1 && st === 0 && en >= BIG ? d : c.fresh();
  });
  const info: OutInfo = { dtype: c.dtype(0), shape: out };
  const v = c.value(0);
  if (v && x.length === 1 && typeof x[0] === 'number') {
    const r = sliceRange(x[0], p.starts[0]!, p.ends[0]!, p.steps[0]!);
    info.value = Array.from({ length: r.count }, (_, i) => v[r.start + i * p.steps[0]!]!);
  }
  return [info];
};

const pad: ShapeRule = (c) => {
  const x = c.shape(0);
  let pads: number[];
  let axes = x.map((_, i) => i);
  if (c.opset < PAD_AS_INPUT_SINCE) pads = attrInts(c.node.attrs, 'pads') ?? c.fail('pads attribute is required');
  else {
    pads = c.numbers(1) ?? c.fail('pads input must be constant');
    if (c.has(3)) axes = (c.numbers(3) ?? c.fail('axes input must be constant')).map((a) => normAxis(c, a, x.length));
  }
  if (pads.length !== 2 * axes.length) c.fail(`pads has ${pads.length} entries, expected ${2 * axes.length}`);
  const out = [...x];
  axes.forEach((a, k) => {
    const extra = pads[k]! + pads[k + axes.length]!;
    out[a] = addDims(x[a]!, extra) ?? c.fresh();
  });
  return [{ dtype: c.dtype(0), shape: out }];
};

const gather: ShapeRule = (c) => {
  const data = c.shape(0),
    idx = c.shape(1);
  const axis = normAxis(c, attrInt(c.node.attrs, 'axis', 0), data.length);
  const info: OutInfo = { dtype: c.dtype(0), shape: [...data.slice(0, axis), ...idx, ...data.slice(axis + 1)] };
  const v = c.value(0),
    ind = c.numbers(1);
  if (v && ind && data.length === 1)
    info.value = ind.map((i) => v[i < 0 ? i + v.length : i] ?? c.fail(`index ${i} out of range`));
  return [info];
};

const split: ShapeRule = (c) => {
  const x = c.shape(0);
  const axis = normAxis(c, attrInt(c.node.attrs, 'axis', 0), x.length);
  const n = c.node.outputs.length;
  let sizes: Dim[] | undefined =
    c.opset < SPLIT_AS_INPUT_SINCE
      ? attrInts(c.node.attrs, 'split')
      : c.has(1)
        ? (c.numbers(1) ?? c.fail('split input must be constant'))
        : undefined;
  if (!sizes) {
    const d = x[axis]!;
    if (typeof d !== 'number') sizes = Array.from({ length: n }, () => c.fresh());
    else {
      const chunk = Math.ceil(d / n);
      sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, d - i * chunk)));
    }
  }
  return sizes.map((s) => {
    const shape = [...x];
    shape[axis] = s;
    return { dtype: c.dtype(0), shape };
  });
};

export const slicingRules: Record<string, ShapeRule> = {
  Concat: concat,
  Slice: slice,
  Pad: pad,
  Gather: gather,
  Split: split,
};
