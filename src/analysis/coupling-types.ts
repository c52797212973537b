/**
 * Serializable description of channel coupling (see coupling.ts for the analysis).
 *
 * A **channel group** is one channel space: a set of activation channels that must be permuted
 * (or removed) together, plus every weight slice indexed by those channels. All references are by
 * node / initializer name so a plan can be printed, stored as JSON and applied later.
 *
 * Index convention: channel `c` of a group is a number in [0, size). A tensor entry says along which
 * `axis` of the initializer the group's channels live and where: channel `c` occupies indices
 * `offset + c·block + j` for j in [0, block) along that axis.
 */

/** A layer that writes the channels: its weight rows (output channels) and optional bias. */
export interface ProducerRef {
  node: string;
  opType: string;
  weight: string;
  /** Weight axis of the output channels: 0 for Conv and Gemm(transB=1), 1 for Gemm(transB=0) and MatMul. */
  axis: number;
  /** Bias initializer (Conv B, Gemm C), indexed by the same channels; absent when the layer has none. */
  bias?: string;
  /** Offset of this group's channels in the producer's rows (0 unless a grouped conv is split). */
  offset: number;
}

/** A per-channel parameter that follows the channels (BatchNorm scale/bias/mean/var, depthwise conv weights...). */
export interface ParamRef {
  node: string;
  tensor: string;
  axis: number;
  offset: number;
  role: 'bn-scale' | 'bn-bias' | 'bn-mean' | 'bn-var' | 'depthwise-weight' | 'depthwise-bias' | 'channel-const';
}

/** A layer that reads the channels: its weight's input columns (Flatten→Gemm: one channel = a block of H·W columns). */
export interface ConsumerRef {
  node: string;
  opType: string;
  weight: string;
  /** Weight axis of the input features: 1 for Conv and Gemm(transB=1), 0 for Gemm(transB=0) and MatMul. */
  axis: number;
  /** Channel c occupies features [offset + c·block, offset + (c+1)·block). Offset > 0 after Concat. */
  offset: number;
  block: number;
  /** Conv `group` attribute (1 for ordinary layers). Grouped consumers are indexed per group, see coupling-apply.ts. */
  convGroups: number;
  /** Reshape shape initializers on the way that spell the feature count out (updated by removeChannels). */
  reshapes: string[];
}

export interface ChannelGroup {
  id: number;
  /** Number of channels; -1 when unknown (then the group is fixed). */
  size: number;
  producers: ProducerRef[];
  params: ParamRef[];
  consumers: ConsumerRef[];
  /** Activation values carrying (part of) these channels. */
  values: string[];
  /**
   * Permutations must map each block [cuts[i], cuts[i+1]) onto itself (grouped convolutions). Always
   * starts with 0 and ends with size.
   */
  cuts: number[];
  /**
   * Nodes that compute a statistic over all of these channels at every position (LayerNormalization, or the
   * ReduceMean of a decomposed one): permuting keeps the function, removing channels changes the statistic. A
   * transformer's residual stream (its hidden size) is such a group.
   */
  normalizedBy: string[];
  /** The d dimensions of attention heads (head-dims.ts): permuted within each head, never removed. */
  withinHeads?: boolean;
  /** True when the channels must not be permuted or removed; `reasons` says why. */
  fixed: boolean;
  reasons: string[];
}
