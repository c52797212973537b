import { A } from '../../src/ir/attrs.js';
import type { InputSpec, OpCase } from './harness.js';

const x = (...shape: (number | string)[]): InputSpec => ({ shape });
const W = (...shape: number[]): InputSpec => ({ shape, init: true });
const ints = (...v: number[]): InputSpec => ({ shape: [v.length], dtype: 'int64', data: v, init: true });

/** Activations, normalizations and layout ops that PyTorch exports of modern CNNs and transformers contain. */
export const EXPORT_CASES: OpCase[] = [
  {
    name: 'HardSigmoid alpha beta',
    op: 'HardSigmoid',
    inputs: [x('N', 3, 4)],
    attrs: { alpha: A.float(0.3), beta: A.float(0.4) },
  },
  {
    name: 'HardSwish',
    op: 'HardSwish',
    inputs: [{ shape: ['N', 12], data: Array.from({ length: 36 }, (_, i) => (i - 18) / 2.5) }],
    opset: 14,
  },
  { name: 'Gelu exact', op: 'Gelu', inputs: [x('N', 3, 4)], opset: 20 },
  { name: 'Gelu tanh', op: 'Gelu', inputs: [x('N', 3, 4)], attrs: { approximate: A.string('tanh') }, opset: 20 },
  { name: 'Mish', op: 'Mish', inputs: [x('N', 3, 4)], opset: 18 },
  {
    name: 'Softplus large',
    op: 'Softplus',
    inputs: [{ shape: ['N', 4], data: [-40, -3, 0, 3, 20, 35, 0.5, -0.5, 1, 2, 3, 4] }],
  },
  { name: 'PRelu per channel', op: 'PRelu', inputs: [x('N', 3, 4, 4), W(3, 1, 1)] },
  { name: 'PRelu scalar slope', op: 'PRelu', inputs: [x('N', 5), W(1)] },
  { name: 'Max 1 operand', op: 'Max', inputs: [x('N', 3)] },
  { name: 'Min 3 operands', op: 'Min', inputs: [x('N', 3), x(3), x('N', 1)] },
  { name: 'ReduceMax axes input opset 18', op: 'ReduceMax', inputs: [x('N', 3, 4), ints(-1)], opset: 18 },
  { name: 'ReduceMax all opset 18', op: 'ReduceMax', inputs: [x('N', 3, 4)], attrs: { keepdims: A.int(0) }, opset: 18 },
  { name: 'ReduceMin axes input opset 18', op: 'ReduceMin', inputs: [x('N', 3, 4), ints(0, 2)], opset: 18 },
  {
    name: 'Split input sizes opset 13',
    op: 'Split',
    inputs: [x('N', 4, 6), ints(1, 2, 3)],
    attrs: { axis: A.int(2) },
    outputs: 3,
    opset: 13,
  },
  {
    name: 'Split num_outputs even opset 18',
    op: 'Split',
    inputs: [x('N', 6)],
    attrs: { axis: A.int(-1), num_outputs: A.int(2) },
    outputs: 2,
    opset: 18,
  },
  {
    name: 'Einsum attention scores',
    op: 'Einsum',
    inputs: [x('N', 2, 3, 4), x('N', 2, 5, 4)],
    attrs: { equation: A.string('bhqd,bhkd->bhqk') },
  },
  {
    name: 'Einsum batched matmul',
    op: 'Einsum',
    inputs: [x('N', 3, 4), W(4, 5)],
    attrs: { equation: A.string('bij,jk->bik') },
  },
  {
    name: 'Einsum channel mix',
    op: 'Einsum',
    inputs: [x('N', 3, 2, 2), W(4, 3)],
    attrs: { equation: A.string('nchw,kc->nkhw') },
  },
  { name: 'Einsum transpose', op: 'Einsum', inputs: [x('N', 3, 4)], attrs: { equation: A.string('bij->bji') } },
  { name: 'Einsum reduce', op: 'Einsum', inputs: [x('N', 3, 4)], attrs: { equation: A.string('bij->bi') } },
  { name: 'Einsum dot', op: 'Einsum', inputs: [x(5), x(5)], attrs: { equation: A.string('i,i->') } },
  { name: 'LayerNormalization last axis', op: 'LayerNormalization', inputs: [x('N', 3, 6), W(6), W(6)] },
  {
    name: 'LayerNormalization axis 1 no bias, stats',
    op: 'LayerNormalization',
    inputs: [x('N', 3, 4), W(3, 4)],
    attrs: { axis: A.int(1), epsilon: A.float(1e-3) },
    outputs: 3,
  },
  {
    name: 'LayerNormalization axis -2 of 4-D, stats',
    op: 'LayerNormalization',
    inputs: [x('N', 2, 3, 4), W(3, 4), W(3, 4)],
    attrs: { axis: A.int(-2) },
    outputs: 3,
  },
  {
    name: 'LayerNormalization axis 0',
    op: 'LayerNormalization',
    inputs: [x(2, 3, 4), W(2, 3, 4), W(2, 3, 4)],
    attrs: { axis: A.int(0) },
    outputs: 2,
  },
  {
    name: 'LayerNormalization broadcast scale',
    op: 'LayerNormalization',
    inputs: [x('N', 3, 4), W(1, 4), W(4)],
    attrs: { axis: A.int(1) },
  },
  {
    name: 'GroupNormalization opset 21',
    op: 'GroupNormalization',
    inputs: [x('N', 6, 3, 3), W(6), W(6)],
    attrs: { num_groups: A.int(3) },
    opset: 21,
  },
  {
    name: 'GroupNormalization opset 18 per group',
    op: 'GroupNormalization',
    inputs: [x('N', 6, 4), W(2), W(2)],
    attrs: { num_groups: A.int(2), epsilon: A.float(1e-3) },
    opset: 18,
  },
  { name: 'InstanceNormalization 4-D', op: 'InstanceNormalization', inputs: [x('N', 3, 4, 5), W(3), W(3)] },
  {
    name: 'InstanceNormalization 3-D eps',
    op: 'InstanceNormalization',
    inputs: [x('N', 2, 7), W(2), W(2)],
    attrs: { epsilon: A.float(0.1) },
  },
  { name: 'DepthToSpace DCR', op: 'DepthToSpace', inputs: [x('N', 8, 2, 3)], attrs: { blocksize: A.int(2) } },
  {
    name: 'DepthToSpace CRD',
    op: 'DepthToSpace',
    inputs: [x('N', 8, 2, 3)],
    attrs: { blocksize: A.int(2), mode: A.string('CRD') },
  },
  { name: 'SpaceToDepth', op: 'SpaceToDepth', inputs: [x('N', 2, 4, 6)], attrs: { blocksize: A.int(2) } },
];
