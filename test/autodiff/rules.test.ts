import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { A } from '../../src/ir/attrs.js';
import { f32, i64, i64vec } from '../../src/ir/tensor.js';
import { SeededRng } from '../../src/util/random.js';
import { annotateShapes, buildOpGraph, directionalCheck, forwardValueCheck, type OpCase } from './gradcheck.js';
import { Graph } from '../../src/ir/graph.js';
import { compile } from '../../src/runtime/session.js';
import { gradientGraph } from '../../src/autodiff/index.js';
import { convSettings } from '../../src/autodiff/index.js';
import { REFERENCE_KERNELS } from '../../src/ir/reference/index.js';

const ints = A.ints;
const int = A.int;
const pos: [number, number] = [0.5, 2];
const c = (v: ReturnType<typeof i64vec>) => ({ value: v, const: true });

/** One line per case: op, inputs (shapes or specs), attributes. */
const CASES: OpCase[] = [
  { name: 'Gemm', op: 'Gemm', inputs: [[4, 5], [5, 3], [3]] },
  {
    name: 'Gemm transA transB alpha beta',
    op: 'Gemm',
    inputs: [
      [5, 4],
      [3, 5],
      [4, 3],
    ],
    attrs: { transA: int(1), transB: int(1), alpha: A.float(0.7), beta: A.float(1.3) },
  },
  {
    name: 'Gemm transB, bias [1,N]',
    op: 'Gemm',
    inputs: [
      [4, 5],
      [3, 5],
      [1, 3],
    ],
    attrs: { transB: int(1) },
  },
  {
    name: 'Gemm transA, no bias',
    op: 'Gemm',
    inputs: [
      [5, 4],
      [5, 3],
    ],
    attrs: { transA: int(1) },
  },
  {
    name: 'MatMul 2-D',
    op: 'MatMul',
    inputs: [
      [4, 5],
      [5, 3],
    ],
  },
  {
    name: 'MatMul batched x matrix',
    op: 'MatMul',
    inputs: [
      [2, 3, 4, 5],
      [5, 3],
    ],
  },
  {
    name: 'MatMul broadcast batch',
    op: 'MatMul',
    inputs: [
      [2, 1, 4, 5],
      [3, 5, 2],
    ],
  },
  { name: 'MatMul vector x matrix', op: 'MatMul', inputs: [[5], [5, 3]] },
  { name: 'MatMul matrix x vector', op: 'MatMul', inputs: [[2, 4, 5], [5]] },
  { name: 'Conv basic', op: 'Conv', inputs: [[2, 3, 7, 7], [4, 3, 3, 3], [4]] },
  {
    name: 'Conv stride 2 pad 1',
    op: 'Conv',
    inputs: [[2, 3, 8, 8], [4, 3, 3, 3], [4]],
    attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) },
  },
  {
    name: 'Conv stride 2 odd size (output_padding)',
    op: 'Conv',
    inputs: [
      [2, 2, 9, 8],
      [3, 2, 3, 3],
    ],
    attrs: { strides: ints([2, 2]) },
  },
  {
    name: 'Conv stride 3 asymmetric pads',
    op: 'Conv',
    inputs: [
      [1, 2, 10, 9],
      [3, 2, 3, 2],
    ],
    attrs: { strides: ints([3, 2]), pads: ints([0, 1, 2, 0]) },
  },
  {
    name: 'Conv dilation 2',
    op: 'Conv',
    inputs: [
      [2, 2, 9, 9],
      [3, 2, 3, 3],
    ],
    attrs: { dilations: ints([2, 2]), pads: ints([2, 2, 2, 2]) },
  },
  {
    name: 'Conv groups 2',
    op: 'Conv',
    inputs: [[2, 4, 6, 6], [6, 2, 3, 3], [6]],
    attrs: { group: int(2), pads: ints([1, 1, 1, 1]) },
  },
  {
    name: 'Conv depthwise stride 2',
    op: 'Conv',
    inputs: [
      [2, 3, 7, 7],
      [3, 1, 3, 3],
    ],
    attrs: { group: int(3), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) },
  },
  { name: 'Conv 1x1', op: 'Conv', inputs: [[2, 4, 5, 5], [3, 4, 1, 1], [3]] },
  {
    name: 'Conv 1x1 stride 2',
    op: 'Conv',
    inputs: [
      [2, 4, 5, 5],
      [3, 4, 1, 1],
    ],
    attrs: { strides: ints([2, 2]) },
  },
  {
    name: 'Conv SAME_UPPER stride 2',
    op: 'Conv',
    inputs: [
      [1, 2, 7, 7],
      [2, 2, 4, 4],
    ],
    attrs: { auto_pad: A.string('SAME_UPPER'), strides: ints([2, 2]) },
  },
  {
    name: 'Conv 1-D',
    op: 'Conv',
    inputs: [
      [2, 3, 11],
      [4, 3, 3],
    ],
    attrs: { strides: ints([2]), pads: ints([1, 0]) },
  },
  {
    name: 'Add broadcast',
    op: 'Add',
    inputs: [
      [2, 3, 4],
      [3, 1],
    ],
  },
  { name: 'Add scalar', op: 'Add', inputs: [[2, 3], []] },
  {
    name: 'Sub broadcast both',
    op: 'Sub',
    inputs: [
      [2, 1, 4],
      [3, 1],
    ],
  },
  {
    name: 'Mul broadcast',
    op: 'Mul',
    inputs: [
      [2, 3, 4],
      [1, 3, 1],
    ],
  },
  { name: 'Mul by constant', op: 'Mul', inputs: [[2, 3], { value: f32([], [2.5]), const: true }] },
  { name: 'Div broadcast', op: 'Div', inputs: [[2, 3, 4], { shape: [4], range: pos }] },
  { name: 'Pow const 2', op: 'Pow', inputs: [[3, 4], { value: f32([], [2]), const: true }] },
  {
    name: 'Pow const 0.5',
    op: 'Pow',
    inputs: [
      { shape: [3, 4], range: pos },
      { value: f32([], [0.5]), const: true },
    ],
  },
  {
    name: 'Pow both',
    op: 'Pow',
    inputs: [
      { shape: [3, 4], range: pos },
      { shape: [4], range: pos },
    ],
  },
  { name: 'Sum 3 operands', op: 'Sum', inputs: [[2, 3], [3], [2, 1]] },
  { name: 'Relu', op: 'Relu', inputs: [[3, 4, 5]] },
  { name: 'LeakyRelu', op: 'LeakyRelu', inputs: [[3, 4, 5]], attrs: { alpha: A.float(0.2) } },
  { name: 'Sigmoid', op: 'Sigmoid', inputs: [[3, 7]] },
  { name: 'Tanh', op: 'Tanh', inputs: [[3, 7]] },
  {
    name: 'Clip',
    op: 'Clip',
    inputs: [[4, 6], { value: f32([], [-0.5]), const: true }, { value: f32([], [0.7]), const: true }],
  },
  { name: 'Clip min only', op: 'Clip', inputs: [[4, 6], { value: f32([], [-0.5]), const: true }] },
  { name: 'Exp', op: 'Exp', inputs: [[3, 5]] },
  { name: 'Log', op: 'Log', inputs: [{ shape: [3, 5], range: pos }] },
  { name: 'Sqrt', op: 'Sqrt', inputs: [{ shape: [3, 5], range: pos }] },
  { name: 'Neg', op: 'Neg', inputs: [[3, 5]] },
  { name: 'Abs', op: 'Abs', inputs: [[3, 5]] },
  { name: 'Reciprocal', op: 'Reciprocal', inputs: [{ shape: [3, 5], range: pos }] },
  { name: 'Identity', op: 'Identity', inputs: [[3, 5]] },
  { name: 'Softmax axis -1', op: 'Softmax', inputs: [[3, 4, 5]] },
  { name: 'Softmax axis 1', op: 'Softmax', inputs: [[3, 4, 5]], attrs: { axis: int(1) } },
  { name: 'Softmax opset 11 (coerced 2-D)', op: 'Softmax', inputs: [[3, 4, 5]], opset: 11 },
  { name: 'LogSoftmax', op: 'LogSoftmax', inputs: [[4, 10]] },
  { name: 'LogSoftmax axis 1 of 3', op: 'LogSoftmax', inputs: [[2, 5, 3]], attrs: { axis: int(1) } },
  { name: 'ReduceMean axes 1', op: 'ReduceMean', inputs: [[3, 4, 5]], attrs: { axes: ints([1]), keepdims: int(0) } },
  { name: 'ReduceMean all keepdims', op: 'ReduceMean', inputs: [[3, 4, 5]] },
  { name: 'ReduceSum axes input', op: 'ReduceSum', inputs: [[3, 4, 5], c(i64vec([0, 2]))] },
  {
    name: 'ReduceSum opset 11 keepdims 0',
    op: 'ReduceSum',
    inputs: [[3, 4, 5]],
    attrs: { axes: ints([-1]), keepdims: int(0) },
    opset: 11,
  },
  { name: 'ReduceSumSquare', op: 'ReduceSumSquare', inputs: [[3, 4, 5]], attrs: { axes: ints([1]) } },
  { name: 'ReduceMean opset 18 axes input', op: 'ReduceMean', inputs: [[3, 4, 5], c(i64vec([1, 2]))], opset: 18 },
  {
    name: 'MaxPool 2x2',
    op: 'MaxPool',
    inputs: [[2, 3, 6, 6]],
    attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]) },
    eps: 1e-5,
  },
  {
    name: 'MaxPool 3x3 stride 2 overlapping pad',
    op: 'MaxPool',
    inputs: [[2, 2, 7, 7]],
    attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) },
    eps: 1e-5,
  },
  {
    name: 'MaxPool 2x2 odd size ceil',
    op: 'MaxPool',
    inputs: [[1, 2, 7, 7]],
    attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) },
    eps: 1e-5,
  },
  {
    name: 'AveragePool 2x2',
    op: 'AveragePool',
    inputs: [[2, 3, 6, 6]],
    attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]) },
  },
  {
    name: 'AveragePool 3x3 pad exclude',
    op: 'AveragePool',
    inputs: [[2, 2, 7, 7]],
    attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) },
  },
  {
    name: 'AveragePool 3x3 pad include',
    op: 'AveragePool',
    inputs: [[2, 2, 7, 7]],
    attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), count_include_pad: int(1) },
  },
  {
    name: 'AveragePool ceil_mode',
    op: 'AveragePool',
    inputs: [[1, 2, 7, 7]],
    attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) },
  },
  { name: 'GlobalAveragePool', op: 'GlobalAveragePool', inputs: [[2, 3, 4, 5]] },
  { name: 'Flatten axis 1', op: 'Flatten', inputs: [[2, 3, 4, 5]] },
  { name: 'Flatten axis 2', op: 'Flatten', inputs: [[2, 3, 4, 5]], attrs: { axis: int(2) } },
  { name: 'Reshape', op: 'Reshape', inputs: [[2, 3, 4], c(i64vec([4, -1]))] },
  { name: 'Squeeze', op: 'Squeeze', inputs: [[2, 1, 4], c(i64vec([1]))] },
  { name: 'Unsqueeze', op: 'Unsqueeze', inputs: [[2, 4], c(i64vec([0, 2]))] },
  { name: 'Transpose perm', op: 'Transpose', inputs: [[2, 3, 4]], attrs: { perm: ints([1, 2, 0]) } },
  { name: 'Transpose default', op: 'Transpose', inputs: [[2, 3, 4]] },
  {
    name: 'Concat axis 1',
    op: 'Concat',
    inputs: [
      [2, 3, 4],
      [2, 1, 4],
      [2, 2, 4],
    ],
    attrs: { axis: int(1) },
  },
  {
    name: 'Concat one differentiable',
    op: 'Concat',
    inputs: [[2, 3], { shape: [2, 2], const: true }],
    attrs: { axis: int(-1) },
  },
  {
    name: 'Concat opset 11',
    op: 'Concat',
    inputs: [
      [2, 3],
      [2, 2],
    ],
    attrs: { axis: int(1) },
    opset: 11,
  },
  {
    name: 'Slice unit steps',
    op: 'Slice',
    inputs: [[4, 6, 5], c(i64vec([1, -4])), c(i64vec([3, 100])), c(i64vec([0, 1]))],
  },
  {
    name: 'Slice steps 2 and -1',
    op: 'Slice',
    inputs: [[4, 6, 5], c(i64vec([0, 4])), c(i64vec([100, 0])), c(i64vec([1, 2])), c(i64vec([2, -1]))],
  },
  { name: 'Pad constant', op: 'Pad', inputs: [[2, 3, 4], c(i64vec([0, 1, 2, 0, 2, 1]))] },
  { name: 'Pad negative (crop)', op: 'Pad', inputs: [[2, 5, 4], c(i64vec([0, -1, 2, 0, 1, -1]))] },
  {
    name: 'Pad reflect',
    op: 'Pad',
    inputs: [[2, 4, 5], c(i64vec([0, 2, 1, 0, 1, 3]))],
    attrs: { mode: A.string('reflect') },
  },
  {
    name: 'Pad edge',
    op: 'Pad',
    inputs: [[2, 4, 5], c(i64vec([0, 2, 1, 0, 1, 3]))],
    attrs: { mode: A.string('edge') },
  },
  { name: 'Gather axis 0 repeated indices', op: 'Gather', inputs: [[5, 3], c(i64([4], [0, 2, 2, 4]))] },
  {
    name: 'Gather axis 1 2-D indices',
    op: 'Gather',
    inputs: [[3, 5, 2], c(i64([2, 2], [1, 4, 4, 0]))],
    attrs: { axis: int(1) },
  },
  {
    name: 'GatherElements',
    op: 'GatherElements',
    inputs: [[3, 5], c(i64([3, 2], [0, 4, 1, 1, 3, 2]))],
    attrs: { axis: int(1) },
  },
  { name: 'Expand', op: 'Expand', inputs: [[3, 1], c(i64vec([2, 3, 4]))] },
  {
    name: 'BatchNormalization train 4-D',
    op: 'BatchNormalization',
    inputs: [[4, 3, 3, 3], [3], [3], { shape: [3], const: true }, { shape: [3], const: true, range: pos }],
  },
  {
    name: 'BatchNormalization train 2-D',
    op: 'BatchNormalization',
    inputs: [[6, 4], [4], [4], { shape: [4], const: true }, { shape: [4], const: true, range: pos }],
    attrs: { epsilon: A.float(1e-3) },
  },
];

const f32c = (v: number[]) => ({ value: f32([v.length], v), const: true });
const x4 = (c: number, h: number, w: number) => [2, c, h, w];
const wide: [number, number] = [-5, 5];

/**
 * Gradients whose natural formulation needs a newer opset than the model (ScatterElements/ScatterND with
 * reduction=add from 16, ScatterElements from 11): the same ops at older opsets take the scatter-free paths.
 */
const OLD_OPSET_CASES: OpCase[] = [
  {
    name: 'MaxPool 3x3 stride 2 overlapping pad, opset 13 (no ScatterElements add)',
    op: 'MaxPool',
    inputs: [[2, 2, 7, 7]],
    attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) },
    opset: 13,
    eps: 1e-5,
  },
  {
    name: 'MaxPool 3x3 stride 2 ceil_mode, opset 13',
    op: 'MaxPool',
    inputs: [[2, 3, 8, 8]],
    attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), ceil_mode: int(1) },
    opset: 13,
    eps: 1e-5,
  },
  {
    name: 'MaxPool 2x3 dilation 2 stride 1, opset 11',
    op: 'MaxPool',
    inputs: [[1, 2, 7, 8]],
    attrs: { kernel_shape: ints([2, 3]), dilations: ints([2, 1]) },
    opset: 11,
    eps: 1e-5,
  },
  {
    name: 'MaxPool 1-D kernel 3 stride 2 SAME_UPPER, opset 13',
    op: 'MaxPool',
    inputs: [[2, 3, 9]],
    attrs: { kernel_shape: ints([3]), strides: ints([2]), auto_pad: A.string('SAME_UPPER') },
    opset: 13,
    eps: 1e-5,
  },
  {
    name: 'MaxPool 2x2 stride 2 odd size ceil, opset 10 (no ScatterElements)',
    op: 'MaxPool',
    inputs: [[1, 2, 7, 7]],
    attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) },
    opset: 10,
    eps: 1e-5,
  },
  {
    name: 'Pad reflect, opset 13',
    op: 'Pad',
    inputs: [[2, 4, 5], c(i64vec([0, 2, 1, 0, 1, 3]))],
    attrs: { mode: A.string('reflect') },
    opset: 13,
  },
  {
    name: 'Pad edge, opset 13',
    op: 'Pad',
    inputs: [[2, 4, 5], c(i64vec([0, 2, 1, 0, 1, 3]))],
    attrs: { mode: A.string('edge') },
    opset: 13,
  },
  {
    name: 'Slice steps 2 and -1, opset 10',
    op: 'Slice',
    inputs: [[4, 6, 5], c(i64vec([0, 4])), c(i64vec([100, 0])), c(i64vec([1, 2])), c(i64vec([2, -1]))],
    opset: 10,
  },
  { name: 'Gather repeated indices, opset 13', op: 'Gather', inputs: [[5, 3], c(i64([4], [0, 2, 2, 4]))], opset: 13 },
  {
    name: 'Gather axis 1 2-D indices, opset 13',
    op: 'Gather',
    inputs: [[3, 5, 2], c(i64([2, 2], [1, 4, 4, 0]))],
    attrs: { axis: int(1) },
    opset: 13,
  },
  {
    name: 'GatherElements, opset 13',
    op: 'GatherElements',
    inputs: [[3, 5], c(i64([3, 2], [0, 4, 1, 1, 3, 2]))],
    attrs: { axis: int(1) },
    opset: 13,
  },
];

/** Ops common in exports (issue 15): activations, normalizations, Resize/Upsample, Split, Max/Min, ConvTranspose. */
const EXPORT_CASES: OpCase[] = [
  { name: 'HardSigmoid', op: 'HardSigmoid', inputs: [{ shape: [4, 6], range: wide }] },
  {
    name: 'HardSigmoid alpha beta',
    op: 'HardSigmoid',
    inputs: [{ shape: [4, 6], range: wide }],
    attrs: { alpha: A.float(0.3), beta: A.float(0.4) },
  },
  { name: 'HardSwish', op: 'HardSwish', inputs: [{ shape: [4, 8], range: wide }] },
  { name: 'Erf', op: 'Erf', inputs: [[3, 5]] },
  { name: 'Gelu exact (opset 20)', op: 'Gelu', inputs: [{ shape: [3, 6], range: [-4, 4] }], opset: 20 },
  {
    name: 'Gelu tanh (opset 20)',
    op: 'Gelu',
    inputs: [{ shape: [3, 6], range: [-4, 4] }],
    attrs: { approximate: A.string('tanh') },
    opset: 20,
  },
  { name: 'Softplus', op: 'Softplus', inputs: [{ shape: [3, 6], range: wide }] },
  { name: 'Mish (opset 18)', op: 'Mish', inputs: [{ shape: [3, 6], range: wide }], opset: 18 },
  { name: 'PRelu per channel', op: 'PRelu', inputs: [x4(3, 4, 4), [3, 1, 1]] },
  { name: 'PRelu scalar slope', op: 'PRelu', inputs: [[4, 5], [1]] },
  {
    name: 'Max 2 broadcast',
    op: 'Max',
    inputs: [
      [2, 3, 4],
      [3, 1],
    ],
    eps: 1e-5,
  },
  { name: 'Max 3', op: 'Max', inputs: [[3, 4], [4], [3, 1]], eps: 1e-5 },
  {
    name: 'Min 2',
    op: 'Min',
    inputs: [
      [3, 4],
      [3, 1],
    ],
    eps: 1e-5,
  },
  { name: 'Max 1 operand', op: 'Max', inputs: [[3, 4]] },
  {
    name: 'ReduceMax axes 1 keepdims 0',
    op: 'ReduceMax',
    inputs: [[3, 4, 5]],
    attrs: { axes: ints([1]), keepdims: int(0) },
  },
  { name: 'ReduceMax opset 18 axes input', op: 'ReduceMax', inputs: [[3, 4, 5], c(i64vec([0, -1]))], opset: 18 },
  { name: 'ReduceMax all', op: 'ReduceMax', inputs: [[3, 4, 5]] },
  { name: 'ReduceMin', op: 'ReduceMin', inputs: [[3, 4, 5]], attrs: { axes: ints([2]) } },
  { name: 'ConvTranspose basic', op: 'ConvTranspose', inputs: [x4(3, 4, 5), [3, 2, 3, 3], [2]] },
  {
    name: 'ConvTranspose stride 2 pads output_padding',
    op: 'ConvTranspose',
    inputs: [x4(2, 4, 5), [2, 3, 3, 3], [3]],
    attrs: { strides: ints([2, 3]), pads: ints([1, 0, 1, 1]), output_padding: ints([1, 2]) },
  },
  {
    name: 'ConvTranspose group dilation',
    op: 'ConvTranspose',
    inputs: [x4(4, 3, 3), [4, 2, 2, 2]],
    attrs: { group: int(2), dilations: ints([2, 1]) },
  },
  {
    name: 'ConvTranspose output_shape',
    op: 'ConvTranspose',
    inputs: [x4(2, 3, 3), [2, 2, 3, 3]],
    attrs: { strides: ints([2, 2]), output_shape: ints([8, 7]) },
  },
  {
    name: 'ConvTranspose SAME_UPPER',
    op: 'ConvTranspose',
    inputs: [x4(2, 3, 4), [2, 2, 3, 3]],
    attrs: { strides: ints([2, 2]), auto_pad: A.string('SAME_UPPER') },
  },
  {
    name: 'ConvTranspose depthwise 4x4 stride 2 (16 channels, taps filter gradient)',
    op: 'ConvTranspose',
    inputs: [x4(16, 4, 4), [16, 1, 4, 4]],
    attrs: { group: int(16), strides: ints([1, 1]), pads: ints([1, 1, 1, 1]) },
  },
  {
    name: 'ConvTranspose 1-D',
    op: 'ConvTranspose',
    inputs: [
      [2, 3, 6],
      [3, 2, 3],
    ],
    attrs: { strides: ints([2]) },
  },
  { name: 'Split equal 3', op: 'Split', inputs: [[2, 6, 3]], attrs: { axis: int(1) }, outputs: 3 },
  {
    name: 'Split sizes input, middle output unused',
    op: 'Split',
    inputs: [[2, 6], c(i64vec([1, 2, 3]))],
    attrs: { axis: int(-1) },
    outputs: 3,
    lossOutputs: [0, 2],
    opset: 13,
  },
  {
    name: 'Split num_outputs opset 18',
    op: 'Split',
    inputs: [[7, 2]],
    attrs: { axis: int(0), num_outputs: int(3) },
    outputs: 3,
    opset: 18,
  },
  { name: 'LayerNormalization axis -1', op: 'LayerNormalization', inputs: [[2, 3, 6], [6], [6]] },
  {
    name: 'LayerNormalization axis 1 no bias',
    op: 'LayerNormalization',
    inputs: [
      [2, 3, 4],
      [3, 4],
    ],
    attrs: { axis: int(1), epsilon: A.float(1e-3) },
  },
  {
    name: 'LayerNormalization axis -2 of 4-D',
    op: 'LayerNormalization',
    inputs: [
      [2, 2, 3, 4],
      [3, 4],
      [3, 4],
    ],
    attrs: { axis: int(-2) },
  },
  {
    name: 'LayerNormalization axis 0',
    op: 'LayerNormalization',
    inputs: [
      [2, 3, 4],
      [2, 3, 4],
      [2, 3, 4],
    ],
    attrs: { axis: int(0) },
  },
  {
    name: 'LayerNormalization broadcast scale',
    op: 'LayerNormalization',
    inputs: [[2, 3, 4], [1, 4], [4]],
    attrs: { axis: int(1) },
  },
  {
    name: 'GroupNormalization opset 21',
    op: 'GroupNormalization',
    inputs: [x4(6, 3, 3), [6], [6]],
    attrs: { num_groups: int(3) },
    opset: 21,
  },
  {
    name: 'GroupNormalization opset 18 per group',
    op: 'GroupNormalization',
    inputs: [[2, 6, 4], [2], [2]],
    attrs: { num_groups: int(2), epsilon: A.float(1e-3) },
    opset: 18,
  },
  { name: 'InstanceNormalization 4-D', op: 'InstanceNormalization', inputs: [x4(3, 4, 5), [3], [3]] },
  {
    name: 'InstanceNormalization 3-D',
    op: 'InstanceNormalization',
    inputs: [[2, 2, 7], [2], [2]],
    attrs: { epsilon: A.float(0.1) },
  },
  { name: 'Resize nearest x2 half_pixel', op: 'Resize', inputs: [x4(2, 3, 4), {}, f32c([1, 1, 2, 2])], opset: 19 },
  {
    name: 'Resize nearest 0.5 asymmetric floor',
    op: 'Resize',
    inputs: [x4(2, 6, 5), {}, f32c([1, 1, 0.5, 0.6])],
    attrs: { coordinate_transformation_mode: A.string('asymmetric'), nearest_mode: A.string('floor') },
    opset: 19,
  },
  {
    name: 'Resize linear x2 half_pixel',
    op: 'Resize',
    inputs: [x4(2, 3, 4), {}, f32c([1, 1, 2, 2])],
    attrs: { mode: A.string('linear') },
    opset: 19,
  },
  {
    name: 'Resize linear x1.5/0.6 pytorch_half_pixel',
    op: 'Resize',
    inputs: [x4(2, 4, 5), {}, f32c([1, 1, 1.5, 0.6])],
    attrs: { mode: A.string('linear'), coordinate_transformation_mode: A.string('pytorch_half_pixel') },
    opset: 19,
  },
  {
    name: 'Resize linear sizes align_corners',
    op: 'Resize',
    inputs: [x4(2, 4, 5), {}, {}, c(i64vec([2, 2, 7, 3]))],
    attrs: { mode: A.string('linear'), coordinate_transformation_mode: A.string('align_corners') },
    opset: 19,
  },
  {
    name: 'Resize cubic x2',
    op: 'Resize',
    inputs: [x4(2, 3, 4), {}, f32c([1, 1, 2, 1.5])],
    attrs: { mode: A.string('cubic') },
    opset: 19,
  },
  {
    name: 'Resize linear antialias 0.5/0.6',
    op: 'Resize',
    inputs: [x4(2, 6, 5), {}, f32c([1, 1, 0.5, 0.6])],
    attrs: { mode: A.string('linear'), antialias: int(1) },
    opset: 18,
  },
  {
    name: 'Resize cubic antialias 0.6',
    op: 'Resize',
    inputs: [x4(2, 6, 5), {}, f32c([1, 1, 0.6, 0.6])],
    attrs: { mode: A.string('cubic'), antialias: int(1) },
    opset: 18,
  },
  {
    name: 'Resize tf_crop_and_resize extrapolation',
    op: 'Resize',
    inputs: [x4(2, 4, 5), f32c([0, 0, -0.2, 0.1, 1, 1, 0.8, 1.3]), {}, c(i64vec([2, 2, 5, 6]))],
    attrs: {
      mode: A.string('linear'),
      coordinate_transformation_mode: A.string('tf_crop_and_resize'),
      extrapolation_value: A.float(-3),
    },
    opset: 19,
  },
  {
    name: 'Resize sizes axes opset 18',
    op: 'Resize',
    inputs: [x4(2, 4, 5), {}, {}, c(i64vec([9, 3]))],
    attrs: { mode: A.string('linear'), axes: ints([2, 3]) },
    opset: 18,
  },
  {
    name: 'Resize rank 3, leading axes (transpose path)',
    op: 'Resize',
    inputs: [[3, 4, 5], {}, f32c([2, 1, 1.5])],
    attrs: { mode: A.string('linear') },
    opset: 19,
  },
  {
    name: 'Resize opset 11 sizes, empty roi and scales',
    op: 'Resize',
    inputs: [x4(2, 4, 5), f32c([]), f32c([]), c(i64vec([2, 2, 8, 10]))],
    attrs: { coordinate_transformation_mode: A.string('asymmetric'), nearest_mode: A.string('floor') },
    opset: 11,
  },
  { name: 'Upsample opset 9 nearest', op: 'Upsample', inputs: [x4(2, 3, 4), f32c([1, 1, 2, 3])], opset: 9 },
  {
    name: 'Upsample opset 8 linear attr',
    op: 'Upsample',
    inputs: [x4(2, 3, 4)],
    attrs: { mode: A.string('linear'), scales: A.floats([1, 1, 2, 2]) },
    opset: 8,
  },
  { name: 'Elu', op: 'Elu', inputs: [[3, 6]], attrs: { alpha: A.float(0.7) } },
  { name: 'GlobalMaxPool', op: 'GlobalMaxPool', inputs: [x4(3, 4, 5)], eps: 1e-5 },
  {
    name: 'Einsum attention scores',
    op: 'Einsum',
    inputs: [
      [2, 2, 3, 4],
      [2, 2, 5, 4],
    ],
    attrs: { equation: A.string('bhqd,bhkd->bhqk') },
  },
  {
    name: 'Einsum channel mix',
    op: 'Einsum',
    inputs: [x4(3, 2, 2), [4, 3]],
    attrs: { equation: A.string('nchw,kc->nkhw') },
  },
  {
    name: 'Einsum implicit batched matmul',
    op: 'Einsum',
    inputs: [
      [2, 3, 4],
      [4, 5],
    ],
    attrs: { equation: A.string('bij,jk') },
  },
  {
    name: 'Einsum reduce (letter only in the operand)',
    op: 'Einsum',
    inputs: [[2, 3, 4]],
    attrs: { equation: A.string('bij->bi') },
  },
  { name: 'Einsum transpose', op: 'Einsum', inputs: [[2, 3, 4]], attrs: { equation: A.string('bij->jbi') } },
  { name: 'DepthToSpace DCR', op: 'DepthToSpace', inputs: [x4(8, 2, 3)], attrs: { blocksize: int(2) } },
  {
    name: 'DepthToSpace CRD',
    op: 'DepthToSpace',
    inputs: [x4(8, 2, 3)],
    attrs: { blocksize: int(2), mode: A.string('CRD') },
  },
  { name: 'SpaceToDepth', op: 'SpaceToDepth', inputs: [x4(2, 4, 6)], attrs: { blocksize: int(2) } },
];

describe('gradient rules agree with central differences', () => {
  for (const [k, tc] of [...CASES, ...EXPORT_CASES, ...OLD_OPSET_CASES].entries()) {
    test(tc.name, async () => {
      const rng = new SeededRng(1000 + k);
      const { g, wrt } = await buildOpGraph(tc, rng);
      if (!tc.noValueCheck && tc.op !== 'BatchNormalization' && REFERENCE_KERNELS[tc.op]) {
        const v = await forwardValueCheck(g, wrt);
        assert.ok(v.err <= v.tol, `${tc.name}: forward value differs from the reference by ${v.err} > ${v.tol}`);
      }
      const res = await directionalCheck(g, wrt, rng, { eps: tc.eps, rtol: tc.rtol });
      for (const r of res)
        assert.ok(
          r.err <= r.tol,
          `${tc.name}: analytic ${r.analytic} vs numeric ${r.numeric} (err ${r.err.toExponential(2)} > tol ${r.tol.toExponential(2)})`,
        );
    });
  }
});

// Each Conv gradient has several ONNX formulations; every one must pass the same check on every Conv case.
const CONV_FORMULATIONS = [
  { what: 'input', key: 'inputGrad', methods: ['conv-transpose', 'flipped-conv'], seed: 3000 },
  { what: 'filter', key: 'filterGrad', methods: ['taps', 'im2col', 'transposed-conv'], seed: 2000 },
] as const;

for (const f of CONV_FORMULATIONS) {
  describe(`every Conv ${f.what}-gradient formulation agrees with central differences`, () => {
    for (const method of f.methods) {
      for (const [k, tc] of [...CASES, ...EXPORT_CASES].entries()) {
        // ConvTranspose's filter gradient is a Conv filter gradient (dY as input), so it runs every formulation too.
        if (tc.op !== 'Conv' && !(tc.op === 'ConvTranspose' && f.what === 'filter')) continue;
        test(`${method}: ${tc.name}`, async () => {
          const rng = new SeededRng(f.seed + k);
          const { g, wrt } = await buildOpGraph(tc, rng);
          const settings = convSettings as Record<typeof f.key, string>;
          settings[f.key] = method;
          try {
            const res = await directionalCheck(g, wrt, rng, { eps: tc.eps, rtol: tc.rtol });
            for (const r of res)
              assert.ok(r.err <= r.tol, `${method} ${tc.name}: analytic ${r.analytic} vs numeric ${r.numeric}`);
          } finally {
            settings[f.key] = 'auto';
          }
        });
      }
    }
  });
}

// Ties: y = Max(a, a, a) = a and y = ReduceMax over two stacked copies of a = a, so dL/da must be exactly what L = Σ a·r gives;
// this holds only if the tied operands / elements share dY (split evenly) rather than each taking all of it.
describe('Max / ReduceMax split the gradient between ties', () => {
  const tieGraphs: [string, (g: Graph) => void][] = [
    ['Max(a, a, a)', (g) => void g.add('Max', ['a', 'a', 'a'], {}, { outputs: ['y'] })],
    [
      'ReduceMax(Concat(a, a) stacked on a new axis 0)',
      (g) => {
        const u = g.add('Unsqueeze', ['a', g.addInitializer('axis0', i64vec([0]))])[0]!;
        const cat = g.add('Concat', [u, u], { axis: int(0) })[0]!;
        g.add('ReduceMax', [cat], { axes: ints([0]), keepdims: int(0) }, { outputs: ['y'] });
      },
    ],
  ];
  for (const [name, build] of tieGraphs) {
    test(name, async () => {
      const rng = new SeededRng(77);
      const g = new Graph();
      g.opset = 17;
      g.addInitializer(
        'a',
        f32(
          [3, 4],
          Array.from({ length: 12 }, () => rng.normal()),
        ),
        true,
      );
      build(g);
      g.addInitializer(
        'r',
        f32(
          [3, 4],
          Array.from({ length: 12 }, () => rng.normal()),
        ),
        true,
      );
      g.add('ReduceSum', [g.add('Mul', ['y', 'r'])[0]!], { keepdims: int(0) }, { outputs: ['loss'] });
      g.outputs = [{ name: 'y', dtype: 'float32' }];
      await annotateShapes(g);
      const tg = gradientGraph(g, { loss: 'loss', wrt: ['a'] });
      const res = await (await compile(tg.graph)).run({ a: g.initializers.get('a')! });
      assert.deepEqual(
        Array.from(res[tg.grads.a!]!.data as Float32Array),
        Array.from(g.initializers.get('r')!.data as Float32Array),
      );
    });
  }
});
