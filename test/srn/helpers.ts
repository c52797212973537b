/** Shared helpers for the SRN / fold-bn tests: BN with non-trivial statistics, a torchvision-style ResNet, ORT runs. */
import { A } from '../../src/ir/attrs.js';
import type { Graph } from '../../src/ir/graph.js';
import { f32, type Tensor } from '../../src/ir/tensor.js';
import { NetBuilder } from '../../src/models/net-builder.js';
import { compile } from '../../src/runtime/session.js';
import { SeededRng } from '../../src/util/random.js';

/** Give every BatchNormalization random γ, β, mean and var so folding is exercised. */
export function randomizeBn(g: Graph, seed = 1): Graph {
  const rng = new SeededRng(seed);
  for (const n of g.nodes) {
    if (n.opType !== 'BatchNormalization') continue;
    const c = g.initializers.get(n.inputs[1]!)!.data.length;
    const fill = (i: number, lo: number, hi: number) =>
      g.initializers.set(n.inputs[i]!, f32([c], rng.fillUniform(new Float32Array(c), lo, hi)));
    fill(1, 0.5, 1.5);
    fill(2, -0.2, 0.3);
    fill(3, -0.2, 0.2);
    fill(4, 0.5, 2);
  }
  return g;
}

/**
 * torchvision-style ResNet as PyTorch exports it un-fused: conv1 7×7/2 + bn1 + relu + maxpool 3×3/2,
 * layer1.0 (identity block), layer2.0 (stride 2, downsample.0 conv 1×1/2 + downsample.1 BN),
 * avgpool, flatten, fc. `signedStem` drops the stem ReLU so block inputs can be negative.
 */
export function torchvisionStyle(opts: { signedStem?: boolean } = {}): Graph {
  const b = new NetBuilder('tv-resnet', 3, ['N', 3, 32, 32]);
  let x = b.bn(b.conv('input', 'conv1', { cin: 3, cout: 8, k: 7, stride: 2, pad: 3, bias: false }), 'bn1', 8);
  if (!opts.signedStem) x = b.relu(x, 'relu');
  x = b.maxPool(x, 2, 2);
  const block = (inp: string, p: string, cin: number, cout: number, stride: number) => {
    let y = b.relu(b.bn(b.conv(inp, `${p}.conv1`, { cin, cout, k: 3, stride, pad: 1, bias: false }), `${p}.bn1`, cout));
    y = b.bn(b.conv(y, `${p}.conv2`, { cin: cout, cout, k: 3, pad: 1, bias: false }), `${p}.bn2`, cout);
    let s = inp;
    if (stride !== 1 || cin !== cout)
      s = b.bn(b.conv(inp, `${p}.downsample.0`, { cin, cout, k: 1, stride, bias: false }), `${p}.downsample.1`, cout);
    return b.relu(b.add(y, s, `${p}.add`));
  };
  x = block(x, 'layer1.0', 8, 8, 1);
  x = block(x, 'layer2.0', 8, 16, 2);
  x = b.flatten(b.globalAvgPool(x));
  return randomizeBn(b.finish(b.linear(x, 'fc', 16, 10, 'logits'), 10), 5);
}

export function randomInput(dims: number[], seed = 9): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return f32(dims, new SeededRng(seed).fillNormal(new Float32Array(n)));
}

export async function runLogits(g: Graph, x: Tensor): Promise<Float32Array> {
  const r = await compile(g);
  const out = await r.run({ [g.inputs[0]!.name]: x });
  return out[g.outputs[0]!.name]!.data as Float32Array;
}

/** max|f − g| / max|f|. */
export function relMaxDiff(f: Float32Array, g: Float32Array): number {
  let d = 0,
    m = 0;
  for (let i = 0; i < f.length; i++) {
    d = Math.max(d, Math.abs(f[i]! - g[i]!));
    m = Math.max(m, Math.abs(f[i]!));
  }
  return d / m;
}

export { A };
