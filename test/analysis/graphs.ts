/** Hand-built graphs that exercise every coupling rule (shared by the analysis and tiletrans tests). */
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32, i64vec } from '../../src/ir/tensor.js';
import { SeededRng } from '../../src/util/random.js';

export function randn(rng: SeededRng, dims: number[], std = 0.5): ReturnType<typeof f32> {
  return f32(dims, rng.fillNormal(new Float32Array(dims.reduce((a, b) => a * b, 1)), 0, std));
}

function conv(
  g: Graph,
  rng: SeededRng,
  x: string,
  name: string,
  cin: number,
  cout: number,
  k: number,
  group = 1,
  bias = true,
): string {
  const w = g.addInitializer(`${name}.weight`, randn(rng, [cout, cin / group, k, k]), true);
  const ins = [x, w];
  if (bias) ins.push(g.addInitializer(`${name}.bias`, randn(rng, [cout]), true));
  const p = (k - 1) / 2;
  return g.add(
    'Conv',
    ins,
    { group: A.int(group), kernel_shape: A.ints([k, k]), pads: A.ints([p, p, p, p]) },
    { name },
  )[0]!;
}

/** BatchNorm with non-trivial scale, bias, running mean and (positive) running variance. */
function bn(g: Graph, rng: SeededRng, x: string, name: string, c: number): string {
  const pos = f32(
    [c],
    Array.from({ length: c }, () => 0.5 + rng.next()),
  );
  const ins = [
    x,
    g.addInitializer(`${name}.weight`, randn(rng, [c]), true),
    g.addInitializer(`${name}.bias`, randn(rng, [c]), true),
    g.addInitializer(`${name}.running_mean`, randn(rng, [c]), true),
    g.addInitializer(`${name}.running_var`, pos, true),
  ];
  return g.add('BatchNormalization', ins, { epsilon: A.float(1e-5) }, { name })[0]!;
}

/**
 * input [N,3,8,8] → conv1+BN+Relu → conv2+BN → Add(residual) → Relu → grouped conv3 (g=2) → Relu →
 * depthwise conv → Concat(with conv4 branch) → MaxPool → Flatten → Gemm(transB=1) → LeakyRelu →
 * Gemm(transB=0) → Sigmoid → MatMul → logits.
 */
export function couplingZoo(seed = 1): Graph {
  const rng = new SeededRng(seed);
  const g = new Graph();
  g.inputs = [{ name: 'input', dtype: 'float32', shape: ['N', 3, 8, 8] }];
  let x = conv(g, rng, 'input', 'conv1', 3, 8, 3, 1, false);
  x = g.add('Relu', [bn(g, rng, x, 'bn1', 8)])[0]!;
  const skip = x;
  let y = bn(g, rng, conv(g, rng, x, 'conv2', 8, 8, 3, 1, false), 'bn2', 8);
  x = g.add('Relu', [g.add('Add', [y, skip], {}, { name: 'res' })[0]!])[0]!;
  y = g.add('Relu', [conv(g, rng, x, 'conv3', 8, 8, 1, 2)])[0]!;
  const dw = conv(g, rng, y, 'dw', 8, 8, 3, 8);
  const b2 = g.add('Tanh', [conv(g, rng, x, 'conv4', 8, 4, 1)])[0]!;
  const cat = g.add('Concat', [dw, b2], { axis: A.int(1) }, { name: 'cat' })[0]!;
  const pool = g.add('MaxPool', [cat], { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) })[0]!;
  const flat = g.add('Flatten', [pool], { axis: A.int(1) })[0]!;
  const fc1 = g.add(
    'Gemm',
    [
      flat,
      g.addInitializer('fc1.weight', randn(rng, [10, 12 * 16], 0.2), true),
      g.addInitializer('fc1.bias', randn(rng, [10]), true),
    ],
    { transB: A.int(1) },
    { name: 'fc1' },
  )[0]!;
  const a1 = g.add('LeakyRelu', [fc1], { alpha: A.float(0.1) })[0]!;
  const fc2 = g.add(
    'Gemm',
    [
      a1,
      g.addInitializer('fc2.weight', randn(rng, [10, 6]), true),
      g.addInitializer('fc2.bias', randn(rng, [6]), true),
    ],
    {},
    { name: 'fc2' },
  )[0]!;
  const a2 = g.add('Sigmoid', [fc2])[0]!;
  g.add(
    'MatMul',
    [a2, g.addInitializer('fc3.weight', randn(rng, [6, 5]), true)],
    {},
    { name: 'fc3', outputs: ['logits'] },
  );
  g.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 5] }];
  g.validate();
  return g;
}

/** A small MLP ending in a Reshape [0,-1] flatten of a conv, to test Reshape handling. */
export function reshapeNet(seed = 2): Graph {
  const rng = new SeededRng(seed);
  const g = new Graph();
  g.inputs = [{ name: 'input', dtype: 'float32', shape: ['N', 2, 4, 4] }];
  const c = g.add('Relu', [conv(g, rng, 'input', 'conv1', 2, 6, 3)])[0]!;
  const shape = g.addInitializer('shape', i64vec([0, -1]), true);
  const r = g.add('Reshape', [c, shape])[0]!;
  g.add(
    'Gemm',
    [r, g.addInitializer('fc.weight', randn(rng, [3, 96]), true)],
    { transB: A.int(1) },
    { name: 'fc', outputs: ['logits'] },
  );
  g.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 3] }];
  g.validate();
  return g;
}
