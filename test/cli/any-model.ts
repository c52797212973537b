/** Models of the kinds users bring (unknown ops, dynamic H/W, deduplicated initializers) and .npy data for them. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeNpy } from '../../src/data/npy.js';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32 } from '../../src/ir/tensor.js';
import { SeededRng } from '../../src/util/random.js';

function randn(rng: SeededRng, dims: number[], std = 0.4) {
  return f32(dims, rng.fillNormal(new Float32Array(dims.reduce((a, b) => a * b, 1)), 0, std));
}

function conv(
  g: Graph,
  rng: SeededRng,
  x: string,
  name: string,
  cin: number,
  cout: number,
  o: { stride?: number; bias?: string | false } = {},
) {
  const ins = [x, g.addInitializer(`${name}.weight`, randn(rng, [cout, cin, 3, 3]), true)];
  if (o.bias !== false) ins.push(o.bias ?? g.addInitializer(`${name}.bias`, randn(rng, [cout], 0.1), true));
  const s = o.stride ?? 1;
  return g.add('Conv', ins, { pads: A.ints([1, 1, 1, 1]), strides: A.ints([s, s]) }, { name })[0]!;
}

function head(g: Graph, rng: SeededRng, x: string, c: number, classes = 5): Graph {
  const gap = g.add('GlobalAveragePool', [x])[0]!;
  const flat = g.add('Flatten', [gap], { axis: A.int(1) })[0]!;
  const w = g.addInitializer('fc.weight', randn(rng, [classes, c]), true);
  g.add('Gemm', [flat, w], { transB: A.int(1) }, { name: 'fc', outputs: ['logits'] });
  g.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', classes] }];
  g.validate();
  return g;
}

/**
 * conv1 → com.microsoft.Gelu (a custom-domain op ORT's CPU provider implements) → conv2 → Compress (an ONNX op
 * reprune has no rule for; it keeps channels 0 and 4, so it changes the shape) → conv3 → GAP → fc. Input [N, 3, 8, 8].
 */
export function opaqueNet(): Graph {
  const rng = new SeededRng(11);
  const g = new Graph();
  g.name = 'opaque';
  g.opset = 13;
  g.extraOpsets = [{ domain: 'com.microsoft', version: 1 }];
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 3, 8, 8] }];
  let x = conv(g, rng, 'x', 'conv1', 3, 8);
  x = g.add('Gelu', [x], {}, { name: 'gelu', domain: 'com.microsoft' })[0]!;
  x = g.add('Relu', [conv(g, rng, x, 'conv2', 8, 8)])[0]!;
  const keep = g.addInitializer('keep', { dtype: 'bool', dims: [8], data: Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 0]) });
  x = g.add('Compress', [x, keep], { axis: A.int(1) }, { name: 'compress' })[0]!; // [N, 2, 8, 8]
  x = g.add('Relu', [conv(g, rng, x, 'conv3', 2, 6)])[0]!;
  return head(g, rng, x, 6);
}

/** conv(3→8) → conv(8→8, stride 2) → GAP → fc, on input [N, 3, H, W] (symbolic H and W, as OCR/detection exports). */
export function dynamicNet(): Graph {
  const rng = new SeededRng(12);
  const g = new Graph();
  g.name = 'dynamic';
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 3, 'H', 'W'] }];
  let x = g.add('Relu', [conv(g, rng, 'x', 'conv1', 3, 8)])[0]!;
  x = g.add('Relu', [conv(g, rng, x, 'conv2', 8, 8, { stride: 2 })])[0]!;
  return head(g, rng, x, 8);
}

/**
 * What PyTorch's exporter makes of an untrained ResNet: every BatchNorm reads one tensor of ones as scale and running
 * variance and one of zeros as bias and running mean, and the convs share one zero bias. conv1 → conv2 → conv3 with
 * a residual Add around conv2/conv3. `bn: false`: the BatchNorm-folded export of the same net (the shared zero bias
 * is all that is left).
 */
export function dedupNet(o: { bn?: boolean } = {}): Graph {
  const rng = new SeededRng(13);
  const g = new Graph();
  g.name = 'dedup';
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 3, 8, 8] }];
  const ones = g.addInitializer('ones8', f32([8], new Array(8).fill(1)), true);
  const zeros = g.addInitializer('zeros8', f32([8]), true);
  const convBn = (x: string, name: string, cin: number) => {
    const y = conv(g, rng, x, name, cin, 8, { bias: zeros });
    if (o.bn === false) return y;
    return g.add('BatchNormalization', [y, ones, zeros, zeros, ones], {}, { name: `${name}.bn` })[0]!;
  };
  const a = g.add('Relu', [convBn('x', 'conv1', 3)])[0]!;
  const b = g.add('Relu', [convBn(a, 'conv2', 8)])[0]!;
  const sum = g.add('Add', [convBn(b, 'conv3', 8), a], {}, { name: 'residual' })[0]!;
  return head(g, rng, g.add('Relu', [sum])[0]!, 8);
}

/** x_train/y_train/x_test/y_test .npy files of random images [n, ...sample] and labels in [0, classes). */
export function npyDataset(dir: string, sample: number[], o: { train?: number; test?: number; classes?: number } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const rng = new SeededRng(5);
  const size = sample.reduce((a, b) => a * b, 1);
  for (const [split, n] of [
    ['train', o.train ?? 32],
    ['test', o.test ?? 16],
  ] as const) {
    const x = new Float32Array(n * size).map(() => rng.next());
    const y = BigInt64Array.from({ length: n }, () => BigInt(rng.int(o.classes ?? 5)));
    writeNpy(path.join(dir, `x_${split}.npy`), x, [n, ...sample]);
    writeNpy(path.join(dir, `y_${split}.npy`), y, [n]);
  }
  return dir;
}
