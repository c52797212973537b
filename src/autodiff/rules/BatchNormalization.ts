import { A, attrFloat } from '../../ir/attrs.js';
import { binary, reduce, reduceSum, reshape, scale, unary } from '../prims.js';
import type { Emitter, GradRule } from '../types.js';

const channelAxes = (rank: number) => [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];

/**
 * Training mode (as PyTorch's train()): normalize with the batch mean and biased variance, computed by
 * ReduceMean/ReduceSumSquare and fed to an inference-mode BatchNormalization (one fused pass for y). Running
 * statistics become graph inputs, updated with ONNX momentum m as r·m + stat·(1−m), the variance unbiased (PyTorch).
 * The backward uses the exact batch-statistics gradient
 *   dx = s·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)),  ds = Σ dy·x̂,  dB = Σ dy.
 */
export const BatchNormalization: GradRule = {
  lowerTraining(node, e) {
    if (e.options.frozenBatchNorm) return undefined;
    const [x, s, b, rm, rv] = node.inputs as [string, string, string, string, string];
    const xs = e.shape(x);
    const C = xs[1]!;
    const axes = channelAxes(xs.length);
    const M = axes.reduce((p, a) => p * xs[a]!, 1);
    const eps = attrFloat(node.attrs, 'epsilon', 1e-5);
    const momentum = attrFloat(node.attrs, 'momentum', 0.9);
    const mean = reduce(e, 'ReduceMean', x, axes, true);
    const xc = binary(e, 'Sub', x, mean);
    const variance = scale(e, reduce(e, 'ReduceSumSquare', xc, axes, true), 1 / M);
    const mean1 = reshape(e, mean, [C]);
    const var1 = reshape(e, variance, [C]);
    e.keep({ ...node, inputs: [x, s, b, mean1, var1], outputs: [node.outputs[0]!], attrs: { epsilon: A.float(eps) } });
    const invstd = unary(e, 'Reciprocal', unary(e, 'Sqrt', binary(e, 'Add', variance, e.scalar(eps, e.dtype(x)))));
    e.makeInput(rm);
    e.makeInput(rv);
    const blend = (old: string, stat: string) =>
      binary(e, 'Add', scale(e, old, momentum), scale(e, stat, 1 - momentum));
    e.stateUpdate(rm, blend(rm, mean1));
    e.stateUpdate(rv, blend(rv, scale(e, var1, M / Math.max(1, M - 1))));
    return { xc, invstd };
  },
  grad({ node, dy: [dy], need, e, saved }) {
    const [x, s] = node.inputs as [string, string];
    const xs = e.shape(x);
    const C = xs[1]!;
    const axes = channelAxes(xs.length);
    const bshape = xs.map((d, i) => (i === 1 ? d : 1));
    const M = axes.reduce((p, a) => p * xs[a]!, 1);
    const out: (string | undefined)[] = [];
    const dB = need[0] || need[2] ? reduceSum(e, dy!, axes, true) : undefined;
    if (need[2]) out[2] = reshape(e, dB!, [C]);
    const { xc, invstd } = saved.xc
      ? saved
      : frozenStats(e, node.inputs, bshape, attrFloat(node.attrs, 'epsilon', 1e-5));
    if (!need[0] && !need[1]) return out;
    const dyxc = reduceSum(e, binary(e, 'Mul', dy!, xc!), axes, true); // Σ dy·(x − μ)
    if (need[1]) out[1] = reshape(e, binary(e, 'Mul', dyxc, invstd!), [C]);
    if (need[0]) {
      const k1 = binary(e, 'Mul', reshape(e, s, bshape), invstd!);
      if (!saved.xc) {
        out[0] = binary(e, 'Mul', dy!, k1);
        return out;
      } // frozen statistics: y is affine in x
      const c2 = scale(e, binary(e, 'Mul', dyxc, binary(e, 'Mul', invstd!, invstd!)), -1 / M);
      const c0 = scale(e, dB!, -1 / M);
      const inner = binary(e, 'Add', binary(e, 'Add', dy!, binary(e, 'Mul', xc!, c2)), c0);
      out[0] = binary(e, 'Mul', inner, k1);
    }
    return out;
  },
};

/** xc = x − running mean, invstd = 1/√(running var + ε), for BatchNorm kept in inference mode. */
function frozenStats(e: Emitter, inputs: string[], bshape: number[], eps: number): Record<string, string> {
  const [x, , , rm, rv] = inputs as [string, string, string, string, string];
  const xc = binary(e, 'Sub', x, reshape(e, rm, bshape));
  const invstd = unary(
    e,
    'Reciprocal',
    unary(e, 'Sqrt', binary(e, 'Add', reshape(e, rv, bshape), e.scalar(eps, e.dtype(x)))),
  );
  return { xc, invstd };
}
