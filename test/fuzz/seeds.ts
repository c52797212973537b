/**
 * Valid models the fuzzer starts from: hand-built graphs covering the shapes of real exports
 * (PyTorch's Constant + Shape→Gather→Unsqueeze→Concat→Reshape chain, conv-BN-pool stacks, typed-field
 * initializers, external data) and two zoo models.
 */
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32, i64, i64vec } from '../../src/ir/tensor.js';
import { buildModel } from '../../src/models/index.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { addModel, encodeProto, EXTERNAL, FLOAT, INT64 } from '../onnx/protos.js';

export interface Seed {
  name: string;
  bytes: Uint8Array;
}

const fill = (n: number, k: number) => Array.from({ length: n }, (_, i) => (((i * 7 + k) % 11) - 5) / 10);

/** conv → BN → relu → maxpool → (PyTorch-style view(N, -1) through Shape/Gather/Unsqueeze/Concat) → Gemm → Softmax */
export function pytorchLike(): Graph {
  const g = new Graph();
  g.name = 'torch_jit';
  g.opset = 13;
  g.producerName = 'pytorch';
  g.inputs = [{ name: 'input.1', dtype: 'float32', shape: ['batch', 1, 8, 8] }];
  g.addInitializer('conv.weight', f32([2, 1, 3, 3], fill(18, 1)), true);
  g.addInitializer('conv.bias', f32([2], [0.1, -0.1]), true);
  for (const [k, v] of [
    ['weight', 1],
    ['bias', 0],
    ['running_mean', 0],
    ['running_var', 1],
  ] as const)
    g.addInitializer(`bn.${k}`, f32([2], [v, v]), true);
  g.addInitializer('fc.weight', f32([3, 32], fill(96, 2)), true);
  g.addInitializer('fc.bias', f32([3], [0, 0.5, -0.5]), true);
  g.add(
    'Conv',
    ['input.1', 'conv.weight', 'conv.bias'],
    { kernel_shape: A.ints([3, 3]), pads: A.ints([1, 1, 1, 1]), strides: A.ints([1, 1]) },
    { name: 'Conv_0', outputs: ['c'] },
  );
  g.add(
    'BatchNormalization',
    ['c', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'],
    { epsilon: A.float(1e-5), momentum: A.float(0.9) },
    { name: 'BN_1', outputs: ['b'] },
  );
  g.add('Relu', ['b'], {}, { name: 'Relu_2', outputs: ['r'] });
  g.add(
    'MaxPool',
    ['r'],
    { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) },
    { name: 'MaxPool_3', outputs: ['p'] },
  );
  g.add('Shape', ['p'], {}, { name: 'Shape_4', outputs: ['s'] });
  g.add('Constant', [], { value: A.tensor(i64([], [0])) }, { name: 'Constant_5', outputs: ['zero'] });
  g.add('Gather', ['s', 'zero'], { axis: A.int(0) }, { name: 'Gather_6', outputs: ['n'] });
  g.add('Constant', [], { value: A.tensor(i64vec([0])) }, { name: 'Constant_7', outputs: ['axes'] });
  g.add('Unsqueeze', ['n', 'axes'], {}, { name: 'Unsqueeze_8', outputs: ['n1'] });
  g.add('Constant', [], { value: A.tensor(i64vec([-1])) }, { name: 'Constant_9', outputs: ['minus1'] });
  g.add('Concat', ['n1', 'minus1'], { axis: A.int(0) }, { name: 'Concat_10', outputs: ['shape'] });
  g.add('Reshape', ['p', 'shape'], {}, { name: 'Reshape_11', outputs: ['flat'] });
  g.add(
    'Gemm',
    ['flat', 'fc.weight', 'fc.bias'],
    { alpha: A.float(1), beta: A.float(1), transB: A.int(1) },
    { name: 'Gemm_12', outputs: ['logits'] },
  );
  g.add('Softmax', ['logits'], { axis: A.int(1) }, { name: 'Softmax_13', outputs: ['prob'] });
  g.outputs = [{ name: 'prob', dtype: 'float32', shape: ['batch', 3] }];
  return g;
}

/** A residual block with Add, GlobalAveragePool, Flatten, Transpose, Slice, Pad, Concat, Clip and ReduceMean. */
export function residual(): Graph {
  const g = new Graph();
  g.name = 'res';
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 2, 6, 6] }];
  const w = g.addInitializer('w', f32([2, 2, 3, 3], fill(36, 3)));
  const [c] = g.add('Conv', ['x', w], { auto_pad: A.string('SAME_UPPER'), group: A.int(1), dilations: A.ints([1, 1]) });
  const [a] = g.add('Add', [c!, 'x']);
  const [k] = g.add('Clip', [a!, g.addInitializer('lo', f32([], [0])), g.addInitializer('hi', f32([], [6]))]);
  const [t] = g.add('Transpose', [k!], { perm: A.ints([0, 1, 3, 2]) });
  const [s] = g.add('Slice', [
    t!,
    g.addInitializer('st', i64vec([1])),
    g.addInitializer('en', i64vec([5])),
    g.addInitializer('ax', i64vec([2])),
  ]);
  const [p] = g.add('Pad', [s!, g.addInitializer('pads', i64vec([0, 0, 1, 0, 0, 0, 1, 0]))], {
    mode: A.string('constant'),
  });
  const [cat] = g.add('Concat', [p!, k!], { axis: A.int(1) });
  const [m] = g.add('ReduceMean', [cat!], { axes: A.ints([3]), keepdims: A.int(1) });
  const [gp] = g.add('GlobalAveragePool', [m!]);
  const [f] = g.add('Flatten', [gp!], { axis: A.int(1) });
  const [o] = g.add('MatMul', [f!, g.addInitializer('fc', f32([4, 5], fill(20, 4)))]);
  g.outputs = [{ name: o!, dtype: 'float32', shape: ['N', 5] }];
  return g;
}

/** Relu(x + w) with w in float_data, and one with int64 shape data in int64_data feeding a Reshape. */
function typedFieldSeeds(): Seed[] {
  const floatField = encodeProto(
    addModel({ name: 'w', dataType: FLOAT, dims: [2, 3], floatData: [1, -2, 3, -4, 5, -6] }),
  );
  const m = addModel({ name: 'w', dataType: FLOAT, dims: [6], floatData: [1, 2, 3, 4, 5, 6] });
  m.graph!.initializer!.push({ name: 'shape', dataType: INT64, dims: [3], int64Data: [-1, 2, 3] });
  m.graph!.node!.push({ name: 'reshape', opType: 'Reshape', input: ['y', 'shape'], output: ['z'] });
  m.graph!.output = [
    {
      name: 'z',
      type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'M' }, { dimValue: 2 }, { dimValue: 3 }] } } },
    },
  ];
  return [
    { name: 'float_data', bytes: floatField },
    { name: 'int64_data+reshape', bytes: encodeProto(m) },
  ];
}

/** Relu(x + w) with w in external file `w.bin` (16 bytes) next to the model. */
export function externalSeed(): Seed {
  const m = addModel({
    name: 'w',
    dataType: FLOAT,
    dims: [4],
    dataLocation: EXTERNAL,
    externalData: [
      { key: 'location', value: 'w.bin' },
      { key: 'offset', value: '0' },
      { key: 'length', value: '16' },
    ],
  });
  return { name: 'external', bytes: encodeProto(m) };
}

export function seeds(): Seed[] {
  const list: Seed[] = [
    { name: 'pytorch-like', bytes: encodeModel(pytorchLike()) },
    { name: 'residual', bytes: encodeModel(residual()) },
    ...typedFieldSeeds(),
    externalSeed(),
    { name: 'zoo:lenet5', bytes: encodeModel(buildModel('lenet5', { seed: 7 })) },
    { name: 'zoo:resnet-small', bytes: encodeModel(buildModel('resnet-small', { seed: 7 })) },
  ];
  // Plain copies: the encoder may return Node Buffers, whose slice() aliases the seed.
  return list.map((s) => ({ name: s.name, bytes: new Uint8Array(s.bytes) }));
}
