import { attrFloat, attrInt } from '../../ir/attrs.js';
import type { Node } from '../../ir/graph.js';
import { binary, reshape, unbroadcast } from '../prims.js';
import type { Emitter, GradArgs, GradRule } from '../types.js';
import { standardizeBackward, standardizeRows } from './norm-util.js';

/**
 * Per-sample normalization over groups of channels, x [N, C, …] viewed as [N·G, C/G·plane]: GroupNormalization
 * (G = num_groups; Scale/B per channel from opset 21, per group in opset 18–20) and InstanceNormalization (G = C).
 * Scale and B broadcast as [1, K, 1] over x viewed as [N, K, rest] (K = C, or G for per-group parameters).
 */
export function channelGroupGrad({ node, dy: [dy], need, e }: GradArgs, groups: number, perGroup: boolean) {
  const [x, s] = node.inputs as [string, string];
  const xs = e.shape(x);
  const [N, C] = xs as [number, number];
  const K = perGroup ? groups : C;
  const total = xs.reduce((p, d) => p * d, 1);
  const view = [N, K, total / (N * K)];
  const st = standardizeRows(e, x, [N * groups, total / (N * groups)], attrFloat(node.attrs, 'epsilon', 1e-5));
  const dyv = reshape(e, dy!, view);
  const out: (string | undefined)[] = [];
  if (need[0]) {
    const g = binary(e, 'Mul', dyv, reshape(e, s, [1, K, 1]));
    out[0] = reshape(e, standardizeBackward(e, reshape(e, g, e.shape(st.xhat)), st), xs);
  }
  if (need[1]) out[1] = reshape(e, unbroadcast(e, binary(e, 'Mul', dyv, reshape(e, st.xhat, view)), [1, K, 1]), [K]);
  if (need[2]) out[2] = reshape(e, unbroadcast(e, dyv, [1, K, 1]), [K]);
  return out;
}

function numGroups(node: Node, e: Emitter): number {
  return attrInt(node.attrs, 'num_groups', 1) || e.shape(node.inputs[0]!)[1]!;
}

export const GroupNormalization: GradRule = {
  grad: (a) => channelGroupGrad(a, numGroups(a.node, a.e), a.e.opset < 21),
};
