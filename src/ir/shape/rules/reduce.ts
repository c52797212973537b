import { attrInt } from '../../attrs.js';
import { reduceAxes, reduceAxesAsInputSince } from '../../ops.js';
import { normAxis, sameAs, type ShapeRule } from '../context.js';

const reduce: ShapeRule = (c) => {
  const x = c.shape(0);
  const fromInput = c.opset >= reduceAxesAsInputSince(c.node.opType);
  const axesIn = fromInput && c.has(1) ? c.numbers(1) : undefined;
  const axes0 = reduceAxes(c.node, c.opset, axesIn, fromInput && c.has(1));
  if (axes0 && axes0.length === 0) return [sameAs(c)]; // noop_with_empty_axes
  const axes = axes0 ? axes0.map((a) => normAxis(c, a, x.length)) : x.map((_, i) => i);
  const keep = attrInt(c.node.attrs, 'keepdims', 1) === 1;
  const shape = keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i));
  return [{ dtype: c.dtype(0), shape }];
};

const argReduce: ShapeRule = (c) => {
  const x = c.shape(0);
  const axis = normAxis(c, attrInt(c.node.attrs, 'axis', 0), x.length);
  const keep = attrInt(c.node.attrs, 'keepdims', 1) === 1;
  return [{ dtype: 'int64', shape: keep ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis) }];
};

const softmax: ShapeRule = (c) => [sameAs(c)];

export const reduceRules: Record<string, ShapeRule> = {
  ReduceMean: reduce,
  ReduceSum: reduce,
  ReduceMax: reduce,
  ReduceMin: reduce,
  ReduceSumSquare: reduce,
  ReduceL2: reduce,
  ReduceL1: reduce,
  ReduceProd: reduce,
  ReduceLogSumExp: reduce,
  ArgMax: argReduce,
  ArgMin: argReduce,
  Softmax: softmax,
  LogSoftmax: softmax,
};
