/**
 * What every coupling rule works with (coupling-rules.ts, coupling-layout-rules.ts): the graph, value shapes, the
 * channel spaces being built, and the helpers that read shapes and record per-channel parameters.
 */
import type { Dim, Graph, Node } from '../ir/graph.js';
import { numel } from '../ir/tensor.js';
import type { CouplingState, Layout } from './coupling-state.js';
import type { ParamRef } from './coupling-types.js';

export interface RuleCtx {
  g: Graph;
  /** Shapes of every value inference reaches (on a copy: the analysis never changes the graph). */
  shapes: Map<string, Dim[]>;
  st: CouplingState;
  /** How many node inputs reference each initializer (shared weights cannot be permuted per layer). */
  refs: Map<string, number>;
}

export type Rule = (c: RuleCtx, n: Node) => number[];

export function shapeOfValue(c: RuleCtx, v: string): Dim[] | undefined {
  const vi = c.g.valueInfo.get(v) ?? c.g.inputs.find((i) => i.name === v) ?? c.g.outputs.find((o) => o.name === v);
  return c.shapes.get(v) ?? vi?.shape;
}

export function rankOf(c: RuleCtx, v: string): number | undefined {
  return shapeOfValue(c, v)?.length;
}

export function isConst(c: RuleCtx, name: string | undefined): boolean {
  return !!name && c.g.initializers.has(name);
}

export function isScalar(c: RuleCtx, name: string): boolean {
  const t = c.g.initializers.get(name);
  return !!t && numel(t.dims) === 1;
}

/** The channel axis of a layout as a tensor axis, given the value's rank. */
export function channelAxis(l: Layout, rank: number): number {
  return l.axis === 'last' ? rank - 1 : 1;
}

/** Record a per-channel parameter tensor of length `total` for every segment of a layout. */
export function addParams(c: RuleCtx, n: Node, l: Layout, tensor: string, axis: number, role: ParamRef['role']): void {
  for (const s of l.segs) {
    c.st.space(s.space).params.push({ node: n.name, tensor, axis, offset: s.off, role });
    if ((c.refs.get(tensor) ?? 0) > 1) c.st.fix(s.space, `initializer '${tensor}' is shared by several nodes`);
  }
}
