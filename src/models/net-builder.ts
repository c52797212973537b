/**
 * A small layer vocabulary for the zoo builders: each method appends the ONNX nodes that
 * `torch.onnx.export` would emit for the matching PyTorch module, with PyTorch parameter names
 * (`<prefix>.weight`, `<prefix>.bias`, `<prefix>.running_mean`, ...) and PyTorch default init.
 */
import { A } from '../ir/attrs.js';
import { Graph } from '../ir/graph.js';
import { f32, i64vec } from '../ir/tensor.js';
import { kaimingUniform } from '../train/init.js';
import { SeededRng } from '../util/random.js';

export interface ConvSpec {
  cin: number;
  cout: number;
  k: number;
  stride?: number;
  pad?: number;
  /** Default true; false for convs followed by BatchNorm (ResNet/VGG-BN convention). */
  bias?: boolean;
}

export { kaimingUniform };

export class NetBuilder {
  readonly g = new Graph();
  private readonly rng: SeededRng;

  constructor(name: string, seed: number, inputShape: (number | string)[]) {
    this.g.name = name;
    this.g.opset = 17;
    this.g.irVersion = 8;
    this.g.inputs = [{ name: 'input', dtype: 'float32', shape: inputShape }];
    this.g.metadata = { 'reprune.arch': name, 'reprune.seed': String(seed) };
    this.rng = new SeededRng(seed);
  }

  private param(name: string, dims: number[], data: Float32Array): string {
    return this.g.addInitializer(name, f32(dims, data), true);
  }

  conv(x: string, prefix: string, s: ConvSpec): string {
    const { cin, cout, k } = s;
    const stride = s.stride ?? 1;
    const pad = s.pad ?? 0;
    const fanIn = cin * k * k;
    const w = this.param(`${prefix}.weight`, [cout, cin, k, k], kaimingUniform(this.rng, [cout, cin, k, k], fanIn));
    const inputs = [x, w];
    if (s.bias ?? true) inputs.push(this.param(`${prefix}.bias`, [cout], kaimingUniform(this.rng, [cout], fanIn)));
    return this.g.add(
      'Conv',
      inputs,
      {
        dilations: A.ints([1, 1]),
        group: A.int(1),
        kernel_shape: A.ints([k, k]),
        pads: A.ints([pad, pad, pad, pad]),
        strides: A.ints([stride, stride]),
      },
      { name: prefix },
    )[0]!;
  }

  /** BatchNorm2d in eval form: γ=1, β=0, running mean 0, running var 1 (PyTorch's fresh state). */
  bn(x: string, prefix: string, c: number): string {
    const ones = () => new Float32Array(c).fill(1);
    const inputs = [
      x,
      this.param(`${prefix}.weight`, [c], ones()),
      this.param(`${prefix}.bias`, [c], new Float32Array(c)),
      this.param(`${prefix}.running_mean`, [c], new Float32Array(c)),
      this.param(`${prefix}.running_var`, [c], ones()),
    ];
    // ONNX momentum is the weight of the old running value: 1 − PyTorch's 0.1.
    return this.g.add(
      'BatchNormalization',
      inputs,
      { epsilon: A.float(1e-5), momentum: A.float(0.9) },
      { name: prefix },
    )[0]!;
  }

  /** nn.Linear as Gemm(transB=1) with weight [out, in]. `output` names the result (e.g. 'logits'). */
  linear(x: string, prefix: string, fin: number, fout: number, output?: string): string {
    const w = this.param(`${prefix}.weight`, [fout, fin], kaimingUniform(this.rng, [fout, fin], fin));
    const b = this.param(`${prefix}.bias`, [fout], kaimingUniform(this.rng, [fout], fin));
    const opts = output ? { name: prefix, outputs: [output] } : { name: prefix };
    return this.g.add('Gemm', [x, w, b], { alpha: A.float(1), beta: A.float(1), transB: A.int(1) }, opts)[0]!;
  }

  relu(x: string, name?: string): string {
    return this.g.add('Relu', [x], {}, name ? { name } : {})[0]!;
  }

  maxPool(x: string, k = 2, stride = k, name?: string): string {
    return this.g.add(
      'MaxPool',
      [x],
      {
        kernel_shape: A.ints([k, k]),
        pads: A.ints([0, 0, 0, 0]),
        strides: A.ints([stride, stride]),
      },
      name ? { name } : {},
    )[0]!;
  }

  flatten(x: string): string {
    return this.g.add('Flatten', [x], { axis: A.int(1) })[0]!;
  }

  globalAvgPool(x: string): string {
    return this.g.add('GlobalAveragePool', [x])[0]!;
  }

  add(a: string, b: string, name?: string): string {
    return this.g.add('Add', [a, b], {}, name ? { name } : {})[0]!;
  }

  /** nn.Linear as exported for 3-D inputs: MatMul by the weight in [in, out] layout, then Add of the bias. */
  matmulLinear(x: string, prefix: string, fin: number, fout: number): string {
    const w = this.param(`${prefix}.weight`, [fin, fout], kaimingUniform(this.rng, [fin, fout], fin));
    const b = this.param(`${prefix}.bias`, [fout], kaimingUniform(this.rng, [fout], fin));
    const y = this.g.add('MatMul', [x, w], {}, { name: `${prefix}.matmul` })[0]!;
    return this.g.add('Add', [y, b], {}, { name: `${prefix}.add` })[0]!;
  }

  /** nn.LayerNorm over the last axis (ONNX LayerNormalization, opset 17): γ=1, β=0. */
  layerNorm(x: string, prefix: string, dim: number): string {
    const scale = this.param(`${prefix}.weight`, [dim], new Float32Array(dim).fill(1));
    const bias = this.param(`${prefix}.bias`, [dim], new Float32Array(dim));
    return this.g.add(
      'LayerNormalization',
      [x, scale, bias],
      { axis: A.int(-1), epsilon: A.float(1e-5) },
      { name: prefix },
    )[0]!;
  }

  /** nn.GELU (exact) as torch.onnx exports it before opset 20: x·0.5·(1 + erf(x/√2)). */
  gelu(x: string, prefix: string): string {
    const c = (name: string, v: number) => this.g.addInitializer(`${prefix}.${name}`, f32([], [v]), true);
    const d = this.g.add('Div', [x, c('sqrt2', Math.SQRT2)], {}, { name: `${prefix}.div` })[0]!;
    const e = this.g.add('Erf', [d], {}, { name: `${prefix}.erf` })[0]!;
    const a = this.g.add('Add', [e, c('one', 1)], {}, { name: `${prefix}.add` })[0]!;
    const m = this.g.add('Mul', [x, a], {}, { name: `${prefix}.mul` })[0]!;
    return this.g.add('Mul', [m, c('half', 0.5)], {}, { name: `${prefix}.mul_half` })[0]!;
  }

  /** A learned tensor used as-is (position embeddings, class tokens), U(±bound). */
  learned(name: string, dims: number[], bound: number): string {
    const n = dims.reduce((a, b) => a * b, 1);
    return this.param(name, dims, this.rng.fillUniform(new Float32Array(n), -bound, bound));
  }

  /** An int64 shape constant (Reshape targets), as the exporter's constant folding leaves them. */
  shapeConst(name: string, values: number[]): string {
    return this.g.addInitializer(name, i64vec(values), true);
  }

  reshape(x: string, shape: string, name?: string): string {
    return this.g.add('Reshape', [x, shape], {}, name ? { name } : {})[0]!;
  }

  transpose(x: string, perm: number[], name?: string): string {
    return this.g.add('Transpose', [x], { perm: A.ints(perm) }, name ? { name } : {})[0]!;
  }

  /** Finish: declare `logits` [N, numClasses] as the output, check the graph and return it. */
  finish(logits: string, numClasses: number): Graph {
    this.g.outputs = [{ name: logits, dtype: 'float32', shape: ['N', numClasses] }];
    this.g.validate();
    return this.g;
  }
}
