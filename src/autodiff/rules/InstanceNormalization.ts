import type { GradRule } from '../types.js';
import { channelGroupGrad } from './GroupNormalization.js';

/** One group per channel (GroupNormalization.ts). */
export const InstanceNormalization: GradRule = {
  grad: (a) => channelGroupGrad(a, a.e.shape(a.node.inputs[0]!)[1]!, false),
};
