import type { Attrs } from '../ir/attrs.js';
import type { Node } from '../ir/graph.js';
import type { DType, Tensor } from '../ir/tensor.js';

/** Options of a training-graph build that lowering hooks may read. */
export interface TrainOptions {
  /** Seed of ORT's Dropout generator (each session then draws a deterministic sequence of masks). */
  dropoutSeed: number;
  /** Keep BatchNormalization in inference mode (running statistics, frozen) instead of batch statistics. */
  frozenBatchNorm: boolean;
}

/** Appends nodes and constants to the graph being built; every rule talks to the graph only through this. */
export interface Emitter {
  readonly opset: number;
  /** Append a node; returns its first output. */
  add(op: string, inputs: string[], attrs?: Attrs, base?: string): string;
  /** Append a node with `n` outputs (`''` entries in `names` keep an output unnamed, i.e. omitted). */
  addMulti(op: string, inputs: string[], attrs: Attrs, n: number, base?: string): string[];
  /** A constant (initializer); identical small constants are shared. */
  const(t: Tensor, base?: string): string;
  /** A scalar constant of the given float dtype (default float32). */
  scalar(v: number, dtype?: DType): string;
  /** A 1-D int64 constant (shapes, axes, pads). */
  ints(values: readonly number[]): string;
  /** Static shape of a value (forward values, gradients and values whose shape was recorded). */
  shape(name: string): number[];
  dtype(name: string): DType;
  /** Whether the shape of a value is known. */
  hasShapeOf(name: string): boolean;
  /** Record the shape (and dtype) of an emitted value so later rules can ask for it. */
  setShape(name: string, shape: readonly number[], dtype?: DType): void;
  /** Constant value of an initializer (or undefined if the value is computed at run time). */
  constValue(name: string): Tensor | undefined;
  /** A fresh value name starting with `base`. */
  fresh(base: string): string;
  /** Append an existing node unchanged (a training lowering that keeps, or edits, its node). */
  keep(node: Node): void;
  /** Turn an initializer into a graph input fed every step (BatchNorm running statistics). */
  makeInput(name: string): void;
  /** Register a state update: after the step, initializer `init` should take the value of `value`. */
  stateUpdate(init: string, value: string): void;
  /** Add a graph output (state updates, saved statistics). */
  output(name: string): void;
  readonly options: TrainOptions;
}

/** What a gradient rule gets for one forward node. */
export interface GradArgs {
  node: Node;
  /** Upstream gradient of each output (undefined: that output does not reach the loss). At least one is defined. */
  dy: (string | undefined)[];
  /** need[i]: input i needs a gradient. Rules compute gradients only for those. */
  need: boolean[];
  e: Emitter;
  /** Values a training lowering saved for the backward pass (e.g. BatchNorm's batch mean). */
  saved: Record<string, string>;
}

/**
 * One gradient rule per op type. `grad` returns one gradient value name per input (undefined for inputs that are
 * not differentiable or not needed). `lowerTraining`, if present, replaces the forward node by its training-mode
 * computation (emitting nodes that produce the node's original outputs) and returns values the backward needs.
 */
export interface GradRule {
  grad(a: GradArgs): (string | undefined)[];
  lowerTraining?(node: Node, e: Emitter, onPath: boolean): Record<string, string> | undefined;
  /** Input indices that never carry a gradient (indices, shapes, masks); used to prune the path. */
  nonDiffInputs?: readonly number[];
}
