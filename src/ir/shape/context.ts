import type { Dim, Node } from '../graph.js';
import type { DType, Tensor } from '../tensor.js';
import { ReproError } from '../../util/errors.js';

/** What a shape rule learns about one output. `value` = known contents of a small int tensor (shape arithmetic). */
export interface OutInfo {
  dtype: DType;
  shape: Dim[];
  /** Flattened contents of a small integer tensor when known; entries may be symbolic (e.g. Shape(x)[0] = 'N'). */
  value?: Dim[];
}

/** Everything a rule may ask about the node's inputs. */
export interface ShapeCtx {
  node: Node;
  opset: number;
  /** Number of inputs present (trailing omitted optional inputs dropped). */
  numInputs: number;
  has(i: number): boolean;
  shape(i: number): Dim[];
  dtype(i: number): DType;
  /** Known contents of input i (initializer, Constant, or propagated shape arithmetic). */
  value(i: number): Dim[] | undefined;
  /** Known contents with only numeric entries, or undefined. */
  numbers(i: number): number[] | undefined;
  /** Input i as an actual tensor when it is an initializer or folded constant. */
  tensor(i: number): Tensor | undefined;
  /** A fresh symbolic dim for results we cannot express (e.g. floor of a symbol). */
  fresh(): string;
  /** Throw a ReproError naming this node. */
  fail(msg: string): never;
}

export type ShapeRule = (c: ShapeCtx) => OutInfo[];

export function nodeError(node: Node, msg: string): ReproError {
  return new ReproError(`node '${node.name}' (${node.opType}): ${msg}`);
}

/** Normalize a possibly negative axis against `rank`, failing on out-of-range axes. */
export function normAxis(c: ShapeCtx, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) c.fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Same-shape single output (unary elementwise ops). */
export function sameAs(c: ShapeCtx, i = 0, dtype?: DType): OutInfo {
  return { dtype: dtype ?? c.dtype(i), shape: [...c.shape(i)] };
}
