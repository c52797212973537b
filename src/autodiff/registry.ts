import type { Node } from '../ir/graph.js';
import { ReproError } from '../util/errors.js';
import type { GradRule } from './types.js';
import { Abs } from './rules/Abs.js';
import { Add } from './rules/Add.js';
import { AveragePool } from './rules/AveragePool.js';
import { BatchNormalization } from './rules/BatchNormalization.js';
import { Cast } from './rules/Cast.js';
import { Clip } from './rules/Clip.js';
import { Concat } from './rules/Concat.js';
import { Conv } from './rules/Conv.js';
import { ConvTranspose } from './rules/ConvTranspose.js';
import { DepthToSpace, SpaceToDepth } from './rules/DepthToSpace.js';
import { Div } from './rules/Div.js';
import { Dropout } from './rules/Dropout.js';
import { Einsum } from './rules/Einsum.js';
import { Elu } from './rules/Elu.js';
import { Erf } from './rules/Erf.js';
import { Exp } from './rules/Exp.js';
import { Expand } from './rules/Expand.js';
import { Gather, GatherElements } from './rules/Gather.js';
import { Gelu } from './rules/Gelu.js';
import { Gemm } from './rules/Gemm.js';
import { GlobalAveragePool } from './rules/GlobalAveragePool.js';
import { GlobalMaxPool } from './rules/GlobalMaxPool.js';
import { GroupNormalization } from './rules/GroupNormalization.js';
import { HardSigmoid } from './rules/HardSigmoid.js';
import { HardSwish } from './rules/HardSwish.js';
import { Identity } from './rules/Identity.js';
import { InstanceNormalization } from './rules/InstanceNormalization.js';
import { LayerNormalization } from './rules/LayerNormalization.js';
import { LeakyRelu } from './rules/LeakyRelu.js';
import { Log } from './rules/Log.js';
import { LogSoftmax } from './rules/LogSoftmax.js';
import { MatMul } from './rules/MatMul.js';
import { Max } from './rules/Max.js';
import { MaxPool } from './rules/MaxPool.js';
import { Min } from './rules/Min.js';
import { Mish } from './rules/Mish.js';
import { Mul } from './rules/Mul.js';
import { Neg } from './rules/Neg.js';
import { PRelu } from './rules/PRelu.js';
import { Pad } from './rules/Pad.js';
import { Pow } from './rules/Pow.js';
import { Reciprocal } from './rules/Reciprocal.js';
import { ReduceMax, ReduceMin } from './rules/ReduceMax.js';
import { ReduceMean } from './rules/ReduceMean.js';
import { ReduceSum } from './rules/ReduceSum.js';
import { ReduceSumSquare } from './rules/ReduceSumSquare.js';
import { Relu } from './rules/Relu.js';
import { Flatten, Reshape, Squeeze, Unsqueeze } from './rules/Reshape.js';
import { Resize, Upsample } from './rules/Resize.js';
import { Sigmoid } from './rules/Sigmoid.js';
import { Slice } from './rules/Slice.js';
import { Softmax } from './rules/Softmax.js';
import { Softplus } from './rules/Softplus.js';
import { Split } from './rules/Split.js';
import { Sqrt } from './rules/Sqrt.js';
import { Sub } from './rules/Sub.js';
import { Sum } from './rules/Sum.js';
import { Tanh } from './rules/Tanh.js';
import { Transpose } from './rules/Transpose.js';
import { Where } from './rules/Where.js';

/** Gradient rules by ONNX op type (default domain). */
export const GRAD_RULES: Record<string, GradRule> = {
  Abs,
  Add,
  AveragePool,
  BatchNormalization,
  Cast,
  Clip,
  Concat,
  Conv,
  ConvTranspose,
  DepthToSpace,
  Div,
  Dropout,
  Einsum,
  Elu,
  Erf,
  Exp,
  Expand,
  Flatten,
  Gather,
  GatherElements,
  Gelu,
  Gemm,
  GlobalAveragePool,
  GlobalMaxPool,
  GroupNormalization,
  HardSigmoid,
  HardSwish,
  Identity,
  InstanceNormalization,
  LayerNormalization,
  LeakyRelu,
  Log,
  LogSoftmax,
  MatMul,
  Max,
  MaxPool,
  Min,
  Mish,
  Mul,
  Neg,
  PRelu,
  Pad,
  Pow,
  Reciprocal,
  ReduceMax,
  ReduceMean,
  ReduceMin,
  ReduceSum,
  ReduceSumSquare,
  Relu,
  Reshape,
  Resize,
  Sigmoid,
  Slice,
  Softmax,
  Softplus,
  SpaceToDepth,
  Split,
  Sqrt,
  Squeeze,
  Sub,
  Sum,
  Tanh,
  Transpose,
  Unsqueeze,
  Upsample,
  Where,
};

/** Ops whose outputs carry no gradient at all (shapes, indices, comparisons, constants). */
export const NON_DIFFERENTIABLE = new Set([
  'Shape',
  'Size',
  'ArgMax',
  'ArgMin',
  'Equal',
  'Greater',
  'Less',
  'GreaterOrEqual',
  'LessOrEqual',
  'And',
  'Or',
  'Xor',
  'Not',
  'Constant',
  'ConstantOfShape',
  'OneHot',
  'NonZero',
  'Sign',
  'Floor',
  'Ceil',
  'Round',
  'IsNaN',
  'IsInf',
  'RandomUniformLike',
  'RandomNormalLike',
  'Range',
]);

export function findRule(node: Node, required?: true): GradRule;
export function findRule(node: Node, required: false): GradRule | undefined;
export function findRule(node: Node, required = true): GradRule | undefined {
  const rule = node.domain ? undefined : GRAD_RULES[node.opType];
  if (!rule && required) {
    throw new ReproError(
      `autodiff: no gradient rule for node '${node.name}' (${node.domain ? `${node.domain}.` : ''}${node.opType}); ops with gradients: ${Object.keys(GRAD_RULES).sort().join(', ')}`,
    );
  }
  return rule;
}
