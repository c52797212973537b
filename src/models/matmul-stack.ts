/**
 * A stack of transformer-MLP-like blocks: input [N, width] → (MatMul width→hidden, Add, Relu, MatMul hidden→width,
 * Add, Relu) × blocks → output. Nothing but big matrices, so it scales a model to any size cheaply: width 768,
 * hidden 3072, 18 blocks has ViT-B's 85 M parameters; width 8192, hidden 9216, 4 blocks is over 2 GB. Weights come
 * from an integer hash of their index (no RNG object per element, so multi-GB models build in seconds), uniform in
 * ±1/√fan_in like PyTorch's default init; the same options always give the same bits.
 */
import { Graph } from '../ir/graph.js';
import { f32 } from '../ir/tensor.js';
import { ReproError } from '../util/errors.js';

export interface MatMulStackOptions {
  width: number;
  hidden: number;
  blocks: number;
  seed?: number;
}

/** Uniform in ±bound from (seed, tensor, index) by a 32-bit integer hash. */
export function hashedUniform(n: number, bound: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  const scale = (2 * bound) / 2 ** 32;
  for (let i = 0; i < n; i++) {
    let h = Math.imul(i ^ seed, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca77);
    h ^= h >>> 13;
    out[i] = (h >>> 0) * scale - bound;
  }
  return out;
}

export function buildMatMulStack(o: MatMulStackOptions): Graph {
  const { width, hidden, blocks } = o;
  for (const [k, v] of Object.entries({ width, hidden, blocks }))
    if (!(Number.isInteger(v) && v >= 1)) throw new ReproError(`matmul stack: ${k} ${v} must be a whole number >= 1`);
  const g = new Graph();
  g.name = 'matmul-stack';
  g.opset = 17;
  g.irVersion = 8;
  g.inputs = [{ name: 'input', dtype: 'float32', shape: ['N', width] }];
  g.metadata = { 'reprune.arch': `matmul-stack-${width}x${hidden}x${blocks}` };
  let x = 'input';
  let tensorSeed = (o.seed ?? 0) * 1000;
  const linear = (prefix: string, cin: number, cout: number, out?: string): string => {
    const bound = 1 / Math.sqrt(cin);
    const w = g.addInitializer(
      `${prefix}.weight`,
      f32([cin, cout], hashedUniform(cin * cout, bound, ++tensorSeed)),
      true,
    );
    const b = g.addInitializer(`${prefix}.bias`, f32([cout], hashedUniform(cout, bound, ++tensorSeed)), true);
    const y = g.add('MatMul', [x, w], {}, { name: `${prefix}.matmul` })[0]!;
    return g.add('Add', [y, b], {}, { name: `${prefix}.add`, outputs: out ? [out] : 1 })[0]!;
  };
  for (let i = 0; i < blocks; i++) {
    x = g.add('Relu', [linear(`blocks.${i}.fc1`, width, hidden)], {}, { name: `blocks.${i}.relu1` })[0]!;
    x = linear(`blocks.${i}.fc2`, hidden, width, i === blocks - 1 ? 'output' : undefined);
    if (i < blocks - 1) x = g.add('Relu', [x], {}, { name: `blocks.${i}.relu2` })[0]!;
  }
  g.outputs = [{ name: x, dtype: 'float32', shape: ['N', width] }];
  return g;
}
