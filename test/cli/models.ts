/** Small hand-built models for CLI tests, written to disk with the real encoder. */
import * as path from 'node:path';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32 } from '../../src/ir/tensor.js';
import { saveOnnx } from '../../src/onnx/save.js';

/** A tiny conv classifier with the given input shape (default MNIST [N,1,28,28]); weights are deterministic. */
export function tinyConvNet(inShape: Array<number | string> = ['N', 1, 28, 28]): Graph {
  const g = new Graph();
  g.name = 'tiny';
  const c = inShape[1] as number;
  g.inputs = [{ name: 'x', dtype: 'float32', shape: inShape }];
  const w = g.addInitializer(
    'conv.weight',
    f32(
      [4, c, 3, 3],
      Array.from({ length: 4 * c * 9 }, (_, i) => ((i % 7) - 3) / 10),
    ),
  );
  const [y] = g.add('Conv', ['x', w], { pads: A.ints([1, 1, 1, 1]) }, { name: 'conv' });
  const [r] = g.add('Relu', [y!]);
  const [p] = g.add('GlobalAveragePool', [r!]);
  const [f] = g.add('Flatten', [p!]);
  const fw = g.addInitializer(
    'fc.weight',
    f32(
      [10, 4],
      Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? 0 : i / 40)),
    ),
  );
  const fb = g.addInitializer('fc.bias', f32([10], new Array(10).fill(0.1)));
  const [o] = g.add('Gemm', [f!, fw, fb], { transB: A.int(1) }, { name: 'fc', outputs: ['logits'] });
  g.outputs = [{ name: o!, dtype: 'float32', shape: ['N', 10] }];
  return g;
}

export function writeModel(dir: string, name: string, g: Graph): string {
  const file = path.join(dir, name);
  saveOnnx(g, file);
  return file;
}
