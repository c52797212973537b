import { attrInt, attrString } from '../../ir/attrs.js';
import type { Node } from '../../ir/graph.js';
import { inversePerm, reshape, transpose } from '../prims.js';
import type { Emitter, GradRule } from '../types.js';

/**
 * DepthToSpace / SpaceToDepth are Reshape → Transpose → Reshape with a fixed permutation; the gradient runs the
 * same three steps backwards (reshape dY to the permuted 6-D view, inverse transpose, reshape to x).
 * Views, for [N, C, H, W] with block b and C' = C/b²: DCR [N, b, b, C', H, W] → perm [0,3,4,1,5,2];
 * CRD [N, C', b, b, H, W] → perm [0,1,4,2,5,3]; SpaceToDepth [N, C, H/b, b, W/b, b] → perm [0,3,5,1,2,4].
 */
function blockGrad(node: Node, dy: string, e: Emitter, toSpace: boolean): string {
  const x = node.inputs[0]!;
  const [N, C, H, W] = e.shape(x) as [number, number, number, number];
  const b = attrInt(node.attrs, 'blocksize', 1);
  let view: number[];
  let perm: number[];
  if (!toSpace) {
    view = [N, C, H / b, b, W / b, b];
    perm = [0, 3, 5, 1, 2, 4];
  } else if (attrString(node.attrs, 'mode', 'DCR') === 'CRD') {
    view = [N, C / (b * b), b, b, H, W];
    perm = [0, 1, 4, 2, 5, 3];
  } else {
    view = [N, b, b, C / (b * b), H, W];
    perm = [0, 3, 4, 1, 5, 2];
  }
  const permuted = reshape(
    e,
    dy,
    perm.map((p) => view[p]!),
  );
  return reshape(e, transpose(e, permuted, inversePerm(perm)), [N, C, H, W]);
}

export const DepthToSpace: GradRule = { grad: ({ node, dy: [dy], e }) => [blockGrad(node, dy!, e, true)] };
export const SpaceToDepth: GradRule = { grad: ({ node, dy: [dy], e }) => [blockGrad(node, dy!, e, false)] };
