import { A } from '../../src/ir/attrs.js';
import type { OpCase } from './harness.js';

const X = (c: number, h: number, w: number) => ({ shape: ['N', c, h, w] });
const W = (...shape: number[]) => ({ shape, init: true });
const pos = (...shape: number[]) => ({ shape, init: true, positive: true });

/** Convolutions, pools, dense layers and normalization. */
export const NN_CASES: OpCase[] = [
  { name: 'Conv basic', op: 'Conv', inputs: [X(3, 6, 6), W(4, 3, 3, 3)] },
  { name: 'Conv bias strides pads', op: 'Conv', inputs: [X(3, 7, 9), W(4, 3, 3, 2), W(4)], attrs: { strides: A.ints([2, 3]), pads: A.ints([1, 0, 2, 1]) } },
  { name: 'Conv group', op: 'Conv', inputs: [X(4, 7, 9), W(6, 2, 3, 3)], attrs: { group: A.int(2), strides: A.ints([2, 1]), pads: A.ints([1, 0, 1, 2]) } },
  { name: 'Conv depthwise', op: 'Conv', inputs: [X(4, 5, 5), W(4, 1, 3, 3), W(4)], attrs: { group: A.int(4), pads: A.ints([1, 1, 1, 1]) } },
  { name: 'Conv dilations', op: 'Conv', inputs: [X(2, 9, 8), W(3, 2, 3, 3)], attrs: { dilations: A.ints([2, 3]) } },
  { name: 'Conv SAME_UPPER', op: 'Conv', inputs: [X(2, 7, 8), W(3, 2, 4, 3)], attrs: { auto_pad: A.string('SAME_UPPER'), strides: A.ints([2, 3]) } },
  { name: 'Conv SAME_LOWER', op: 'Conv', inputs: [X(2, 7, 8), W(3, 2, 4, 3)], attrs: { auto_pad: A.string('SAME_LOWER'), strides: A.ints([2, 2]) } },
  { name: 'Conv VALID', op: 'Conv', inputs: [X(2, 7, 8), W(3, 2, 3, 3)], attrs: { auto_pad: A.string('VALID'), strides: A.ints([2, 2]) } },
  { name: 'Conv 1d', op: 'Conv', inputs: [{ shape: ['N', 2, 10] }, W(3, 2, 3)], attrs: { strides: A.ints([2]), pads: A.ints([1, 1]) } },
  { name: 'Conv 1x1', op: 'Conv', inputs: [X(5, 4, 4), W(2, 5, 1, 1), W(2)] },
  { name: 'ConvTranspose basic', op: 'ConvTranspose', inputs: [X(3, 4, 5), W(3, 2, 3, 3)] },
  { name: 'ConvTranspose strides pads outpad', op: 'ConvTranspose', inputs: [X(2, 4, 5), W(2, 3, 3, 3), W(3)], attrs: { strides: A.ints([2, 3]), pads: A.ints([1, 0, 1, 1]), output_padding: A.ints([1, 2]) } },
  { name: 'ConvTranspose group dil', op: 'ConvTranspose', inputs: [X(4, 3, 3), W(4, 2, 2, 2)], attrs: { group: A.int(2), dilations: A.ints([2, 1]) } },
  { name: 'ConvTranspose output_shape', op: 'ConvTranspose', inputs: [X(2, 3, 3), W(2, 2, 3, 3)], attrs: { strides: A.ints([2, 2]), output_shape: A.ints([8, 7]) } },
  { name: 'ConvTranspose SAME_UPPER', op: 'ConvTranspose', inputs: [X(2, 3, 4), W(2, 2, 3, 3)], attrs: { strides: A.ints([2, 2]), auto_pad: A.string('SAME_UPPER') } },
  { name: 'MaxPool basic', op: 'MaxPool', inputs: [X(2, 6, 6)], attrs: { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) } },
  { name: 'MaxPool pads ceil', op: 'MaxPool', inputs: [X(2, 7, 8)], attrs: { kernel_shape: A.ints([3, 3]), strides: A.ints([2, 2]), pads: A.ints([1, 1, 1, 1]), ceil_mode: A.int(1) } },
  { name: 'MaxPool ceil edge', op: 'MaxPool', inputs: [X(1, 6, 6)], attrs: { kernel_shape: A.ints([2, 2]), strides: A.ints([3, 3]), ceil_mode: A.int(1) } },
  { name: 'MaxPool dilations', op: 'MaxPool', inputs: [X(2, 8, 7)], attrs: { kernel_shape: A.ints([2, 3]), dilations: A.ints([2, 2]) } },
  { name: 'MaxPool SAME_UPPER indices', op: 'MaxPool', inputs: [X(2, 5, 7)], attrs: { kernel_shape: A.ints([3, 2]), strides: A.ints([2, 2]), auto_pad: A.string('SAME_UPPER') }, outputs: 2 },
  { name: 'MaxPool 1d', op: 'MaxPool', inputs: [{ shape: ['N', 2, 9] }], attrs: { kernel_shape: A.ints([3]), strides: A.ints([2]) } },
  { name: 'AveragePool basic', op: 'AveragePool', inputs: [X(2, 6, 6)], attrs: { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) } },
  { name: 'AveragePool pads exclude', op: 'AveragePool', inputs: [X(2, 5, 6)], attrs: { kernel_shape: A.ints([3, 3]), pads: A.ints([1, 1, 1, 1]) } },
  { name: 'AveragePool pads include', op: 'AveragePool', inputs: [X(2, 5, 6)], attrs: { kernel_shape: A.ints([3, 3]), pads: A.ints([1, 2, 1, 0]), count_include_pad: A.int(1) } },
  { name: 'AveragePool ceil', op: 'AveragePool', inputs: [X(2, 7, 7)], attrs: { kernel_shape: A.ints([3, 3]), strides: A.ints([2, 2]), ceil_mode: A.int(1) } },
  { name: 'AveragePool SAME_LOWER', op: 'AveragePool', inputs: [X(2, 5, 6)], attrs: { kernel_shape: A.ints([3, 3]), strides: A.ints([2, 2]), auto_pad: A.string('SAME_LOWER') } },
  { name: 'GlobalAveragePool', op: 'GlobalAveragePool', inputs: [X(3, 4, 5)] },
  { name: 'GlobalMaxPool', op: 'GlobalMaxPool', inputs: [X(3, 4, 5)] },
  { name: 'Gemm', op: 'Gemm', inputs: [{ shape: ['N', 4] }, W(4, 5), W(5)] },
  { name: 'Gemm transB alpha beta', op: 'Gemm', inputs: [{ shape: ['N', 4] }, W(5, 4), W(1, 5)], attrs: { transB: A.int(1), alpha: A.float(0.5), beta: A.float(2) } },
  { name: 'Gemm transA no C', op: 'Gemm', inputs: [{ shape: [4, 3] }, W(4, 2)], attrs: { transA: A.int(1) } },
  { name: 'Gemm scalar C', op: 'Gemm', inputs: [{ shape: [3, 4] }, W(5, 4), W(1)], attrs: { transA: A.int(0), transB: A.int(1) } },
  { name: 'MatMul 2d', op: 'MatMul', inputs: [{ shape: ['N', 4] }, W(4, 3)] },
  { name: 'MatMul batched broadcast', op: 'MatMul', inputs: [{ shape: ['N', 1, 2, 4] }, W(5, 4, 3)] },
  { name: 'MatMul 1d x 2d', op: 'MatMul', inputs: [{ shape: [4] }, W(4, 3)] },
  { name: 'MatMul 3d x 1d', op: 'MatMul', inputs: [{ shape: ['N', 2, 4] }, W(4)] },
  { name: 'MatMul 1d x 1d', op: 'MatMul', inputs: [{ shape: [4] }, { shape: [4] }] },
  { name: 'BatchNormalization', op: 'BatchNormalization', inputs: [X(3, 2, 2), W(3), W(3), W(3), pos(3)], attrs: { epsilon: A.float(1e-3) } },
  { name: 'BatchNormalization 2d', op: 'BatchNormalization', inputs: [{ shape: ['N', 4] }, W(4), W(4), W(4), pos(4)] },
  { name: 'BatchNormalization training', op: 'BatchNormalization', inputs: [X(3, 2, 2), W(3), W(3), W(3), pos(3)], attrs: { training_mode: A.int(1), momentum: A.float(0.8) }, outputs: 3 },
  { name: 'Einsum matmul', op: 'Einsum', inputs: [{ shape: ['N', 4] }, W(4, 3)], attrs: { equation: A.string('ij,jk->ik') } },
  { name: 'Einsum implicit', op: 'Einsum', inputs: [{ shape: [2, 3, 4] }, W(4, 5)], attrs: { equation: A.string('bij,jk') } },
  { name: 'Einsum outer transpose', op: 'Einsum', inputs: [{ shape: [3] }, { shape: [4] }], attrs: { equation: A.string('i,j->ji') } },
];
