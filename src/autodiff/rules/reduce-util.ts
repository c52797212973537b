import { attrInt } from '../../ir/attrs.js';
import type { Node } from '../../ir/graph.js';
import { reduceAxes } from '../../ir/ops.js';
import { toNumbers } from '../../ir/tensor.js';
import { expandTo, reshape } from '../prims.js';
import type { Emitter } from '../types.js';

/** Normalized reduce axes of a Reduce* node ([] = no-op), whether given as attribute or constant input. */
export function reduceNodeAxes(node: Node, e: Emitter): number[] {
  const rank = e.shape(node.inputs[0]!).length;
  const ai = node.inputs[1];
  const c = ai ? e.constValue(ai) : undefined;
  const axes = reduceAxes(node, e.opset, c ? toNumbers(c) : undefined, !!ai);
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  return axes.map((a) => (a < 0 ? a + rank : a));
}

/** Bring a reduced gradient back to the input's shape: restore kept dims, then broadcast. */
export function unreduce(e: Emitter, node: Node, g: string, axes: number[]): string {
  const xs = e.shape(node.inputs[0]!);
  const kept = xs.map((d, i) => (axes.includes(i) ? 1 : d));
  const keep = attrInt(node.attrs, 'keepdims', 1) === 1;
  return expandTo(e, keep ? g : reshape(e, g, kept), xs);
}
