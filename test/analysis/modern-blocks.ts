/**
 * Hand-built models, each one structure of a modern CNN between a stem conv and a GAP → Gemm head, with
 * trained-like weights (random BatchNorm statistics, nothing shared): squeeze-and-excitation, depthwise-separable,
 * channel shuffle, DenseNet concat, Inception branches, an FPN top-down path (Resize + Add) and a ConvNeXt block
 * (depthwise conv, NHWC LayerNorm, MLP MatMuls, layer scale). `expect` says what the coupling analysis must find.
 */
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32, i64vec } from '../../src/ir/tensor.js';
import { SeededRng } from '../../src/util/random.js';

export interface Block {
  name: string;
  graph: Graph;
  /** Producer node names whose channels must share one group that stays prunable. */
  together: string[][];
  /** Producer nodes whose group must stay fixed, with a pattern its reasons match. */
  fixed: Array<{ producer: string; reason: RegExp }>;
}

class Builder {
  readonly g = new Graph();
  private rng: SeededRng;

  constructor(seed: number, channels: number, opset = 13) {
    this.rng = new SeededRng(seed);
    this.g.opset = opset;
    this.g.inputs = [{ name: 'input', dtype: 'float32', shape: ['N', channels, 8, 8] }];
  }

  randn(dims: number[], std = 0.4) {
    return f32(dims, this.rng.fillNormal(new Float32Array(dims.reduce((a, b) => a * b, 1)), 0, std));
  }

  positive(n: number) {
    return f32(
      [n],
      Array.from({ length: n }, () => 0.5 + this.rng.next()),
    );
  }

  conv(x: string, name: string, cin: number, cout: number, k: number, o: { group?: number; stride?: number } = {}) {
    const group = o.group ?? 1;
    const w = this.g.addInitializer(`${name}.weight`, this.randn([cout, cin / group, k, k]), true);
    const b = this.g.addInitializer(`${name}.bias`, this.randn([cout], 0.1), true);
    const p = (k - 1) / 2;
    const attrs = {
      group: A.int(group),
      kernel_shape: A.ints([k, k]),
      pads: A.ints([p, p, p, p]),
      strides: A.ints([o.stride ?? 1, o.stride ?? 1]),
    };
    return this.g.add('Conv', [x, w, b], attrs, { name })[0]!;
  }

  bn(x: string, name: string, c: number) {
    const ins = [
      x,
      this.g.addInitializer(`${name}.weight`, this.positive(c), true),
      this.g.addInitializer(`${name}.bias`, this.randn([c], 0.1), true),
      this.g.addInitializer(`${name}.running_mean`, this.randn([c], 0.1), true),
      this.g.addInitializer(`${name}.running_var`, this.positive(c), true),
    ];
    return this.g.add('BatchNormalization', ins, { epsilon: A.float(1e-5) }, { name })[0]!;
  }

  /** conv → BN → ReLU. */
  cbr(x: string, name: string, cin: number, cout: number, k: number, o: { group?: number; stride?: number } = {}) {
    return this.g.add('Relu', [this.bn(this.conv(x, name, cin, cout, k, o), `${name}.bn`, cout)])[0]!;
  }

  /** GAP → Flatten → Gemm(classes): the head every block ends in. */
  head(x: string, c: number, classes = 5): Graph {
    const gap = this.g.add('GlobalAveragePool', [x])[0]!;
    const flat = this.g.add('Flatten', [gap], { axis: A.int(1) })[0]!;
    const w = this.g.addInitializer('fc.weight', this.randn([classes, c]), true);
    const b = this.g.addInitializer('fc.bias', this.randn([classes], 0.1), true);
    this.g.add('Gemm', [flat, w, b], { transB: A.int(1) }, { name: 'fc', outputs: ['logits'] });
    this.g.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', classes] }];
    this.g.validate();
    return this.g;
  }

  init(name: string, t: ReturnType<typeof f32>) {
    return this.g.addInitializer(name, t, true);
  }
}

/** MobileNetV3/EfficientNet squeeze-and-excitation: x · HardSigmoid(conv(relu(conv(GAP(x))))). */
function se(): Block {
  const b = new Builder(1, 3);
  const x = b.cbr('input', 'stem', 3, 8, 3);
  const pooled = b.g.add('GlobalAveragePool', [x])[0]!;
  const r = b.g.add('Relu', [b.conv(pooled, 'se.reduce', 8, 4, 1)])[0]!;
  const gate = b.g.add('HardSigmoid', [b.conv(r, 'se.expand', 4, 8, 1)], { alpha: A.float(1 / 6) })[0]!;
  const y = b.g.add('Mul', [x, gate], {}, { name: 'se.gate' })[0]!;
  const out = b.cbr(y, 'proj', 8, 6, 1);
  return {
    name: 'squeeze-and-excitation',
    graph: b.head(out, 6),
    together: [['stem', 'se.expand'], ['se.reduce'], ['proj']],
    fixed: [],
  };
}

/** MobileNet depthwise-separable block with an inverted residual: 1×1 expand → 3×3 depthwise → 1×1 project + skip. */
function depthwiseSeparable(): Block {
  const b = new Builder(2, 3);
  const x = b.cbr('input', 'stem', 3, 8, 3);
  const e = b.cbr(x, 'expand', 8, 16, 1);
  const d = b.cbr(e, 'dw', 16, 16, 3, { group: 16 });
  const p = b.bn(b.conv(d, 'project', 16, 8, 1), 'project.bn', 8);
  const y = b.g.add('Add', [x, p], {}, { name: 'residual' })[0]!;
  return {
    name: 'depthwise-separable',
    graph: b.head(y, 8),
    together: [['stem', 'project'], ['expand']],
    fixed: [],
  };
}

/** ShuffleNetV2 unit: split halves, branch on one, concat, channel shuffle (Reshape → Transpose → Reshape). */
function channelShuffle(): Block {
  const b = new Builder(3, 3);
  const x = b.cbr('input', 'stem', 3, 8, 3);
  const left = b.cbr(x, 'left', 8, 4, 1);
  const r1 = b.cbr(x, 'right1', 8, 4, 1);
  const right = b.cbr(b.bn(b.conv(r1, 'right.dw', 4, 4, 3, { group: 4 }), 'right.dw.bn', 4), 'right2', 4, 4, 1);
  const cat = b.g.add('Concat', [left, right], { axis: A.int(1) }, { name: 'cat' })[0]!;
  const s1 = b.g.add('Reshape', [cat, b.init('shuffle.s1', i64vec([0, 2, 4, 8, 8]))], {}, { name: 'shuffle.r1' })[0]!;
  const t = b.g.add('Transpose', [s1], { perm: A.ints([0, 2, 1, 3, 4]) }, { name: 'shuffle.t' })[0]!;
  const s2 = b.g.add('Reshape', [t, b.init('shuffle.s2', i64vec([0, 8, 8, 8]))], {}, { name: 'shuffle.r2' })[0]!;
  const out = b.cbr(s2, 'after', 8, 6, 1);
  return {
    name: 'channel-shuffle',
    graph: b.head(out, 6),
    together: [['stem'], ['right1'], ['after']],
    fixed: [
      { producer: 'left', reason: /Reshape node 'shuffle.r1'/ },
      { producer: 'right2', reason: /Reshape node 'shuffle.r1'/ },
    ],
  };
}

/** DenseNet: each layer reads the concat of all before it (BN over the concat), then a transition conv. */
function denseConcat(): Block {
  const b = new Builder(4, 3);
  let x = b.cbr('input', 'stem', 3, 6, 3);
  let c = 6;
  for (let i = 1; i <= 2; i++) {
    const h = b.g.add('Relu', [b.bn(x, `dense${i}.norm`, c)])[0]!;
    const y = b.conv(h, `dense${i}.conv`, c, 4, 3);
    x = b.g.add('Concat', [x, y], { axis: A.int(1) }, { name: `dense${i}.cat` })[0]!;
    c += 4;
  }
  // Inception-style branches: 1×1, 3×3 and a max-pool branch, concatenated.
  const br1 = b.cbr(x, 'inc.b1', c, 4, 1);
  const br2 = b.cbr(b.cbr(x, 'inc.b2a', c, 3, 1), 'inc.b2b', 3, 4, 3);
  const pool = b.g.add('MaxPool', [x], { kernel_shape: A.ints([3, 3]), pads: A.ints([1, 1, 1, 1]) })[0]!;
  const br3 = b.cbr(pool, 'inc.b3', c, 2, 1);
  const cat = b.g.add('Concat', [br1, br2, br3], { axis: A.int(1) }, { name: 'inc.cat' })[0]!;
  const out = b.cbr(cat, 'transition', 10, 6, 1);
  return {
    name: 'dense-concat + inception',
    graph: b.head(out, 6),
    together: [['stem'], ['dense1.conv'], ['dense2.conv'], ['inc.b2a'], ['inc.b1'], ['inc.b3']],
    fixed: [],
  };
}

/** FPN top-down path: laterals on three scales, P_k = lateral_k + Resize(P_{k+1}, ×2), 3×3 output convs summed. */
function fpn(): Block {
  const b = new Builder(5, 3);
  const c3 = b.cbr('input', 'c3', 3, 6, 3);
  const c4 = b.cbr(c3, 'c4', 6, 8, 3, { stride: 2 });
  const c5 = b.cbr(c4, 'c5', 8, 10, 3, { stride: 2 });
  const scales = b.init('up.scales', f32([4], [1, 1, 2, 2]));
  const up = (x: string, name: string) =>
    b.g.add('Resize', [x, '', scales], { mode: A.string('nearest') }, { name })[0]!;
  const p5 = b.conv(c5, 'lat5', 10, 8, 1);
  const p4 = b.g.add('Add', [b.conv(c4, 'lat4', 8, 8, 1), up(p5, 'up5')], {}, { name: 'p4' })[0]!;
  const p3 = b.g.add('Add', [b.conv(c3, 'lat3', 6, 8, 1), up(p4, 'up4')], {}, { name: 'p3' })[0]!;
  const o3 = b.g.add('Relu', [b.conv(p3, 'out3', 8, 6, 3)])[0]!;
  return {
    name: 'fpn',
    graph: b.head(o3, 6),
    together: [['lat3', 'lat4', 'lat5'], ['c4'], ['c5'], ['out3']],
    fixed: [],
  };
}

/** torchvision's ConvNeXt block: depthwise 7×7 → NHWC → LayerNorm → MatMul 4× → GELU → MatMul → NCHW → ·γ → + x. */
function convnext(): Block {
  const b = new Builder(6, 3, 17);
  const x = b.conv('input', 'stem', 3, 8, 3);
  const dw = b.conv(x, 'dwconv', 8, 8, 7, { group: 8 });
  const nhwc = b.g.add('Transpose', [dw], { perm: A.ints([0, 2, 3, 1]) }, { name: 'to_nhwc' })[0]!;
  const ln = b.g.add(
    'LayerNormalization',
    [nhwc, b.init('ln.weight', b.positive(8)), b.init('ln.bias', b.randn([8], 0.1))],
    { axis: A.int(-1), epsilon: A.float(1e-6) },
    { name: 'ln' },
  )[0]!;
  const linear = (v: string, name: string, cin: number, cout: number) => {
    const m = b.g.add('MatMul', [v, b.init(`${name}.weight`, b.randn([cin, cout], 0.3))], {}, { name })[0]!;
    return b.g.add('Add', [m, b.init(`${name}.bias`, b.randn([cout], 0.1))], {}, { name: `${name}.add` })[0]!;
  };
  const h = linear(ln, 'pwconv1', 8, 32);
  // GELU as PyTorch exports it before opset 20: x · 0.5 · (1 + erf(x / √2)).
  const erf = b.g.add('Erf', [b.g.add('Div', [h, b.init('sqrt2', f32([], [Math.SQRT2]))])[0]!])[0]!;
  const gelu = b.g.add('Mul', [
    b.g.add('Mul', [h, b.g.add('Add', [erf, b.init('one', f32([], [1]))])[0]!])[0]!,
    b.init('half', f32([], [0.5])),
  ])[0]!;
  const y = linear(gelu, 'pwconv2', 32, 8);
  const nchw = b.g.add('Transpose', [y], { perm: A.ints([0, 3, 1, 2]) }, { name: 'to_nchw' })[0]!;
  const scaled = b.g.add('Mul', [b.init('layer_scale', b.randn([8, 1, 1], 0.5)), nchw], {}, { name: 'scale' })[0]!;
  const out = b.g.add('Add', [scaled, x], {}, { name: 'residual' })[0]!;
  return {
    name: 'convnext',
    graph: b.head(out, 8),
    together: [['pwconv2', 'stem'], ['pwconv1']],
    fixed: [],
  };
}

export function modernBlocks(): Block[] {
  return [se(), depthwiseSeparable(), channelShuffle(), denseConcat(), fpn(), convnext()];
}
