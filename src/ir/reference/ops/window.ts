import { attrInts } from '../../attrs.js';
import type { Node } from '../../graph.js';
import { resolvePads, windowAttrs } from '../../shape/rules/conv.js';

/** Window geometry lifted to exactly 3 spatial dims (missing dims have size 1, kernel 1), so kernels loop in 3-D. */
export interface Geo3 {
  r: number;
  inS: number[];
  k: number[];
  s: number[];
  d: number[];
  pb: number[];
  pe: number[];
}

export function geometry(node: Node, inSpatial: number[], kernel: number[]): Geo3 {
  const w = windowAttrs(node, kernel);
  const pads = resolvePads(w, inSpatial);
  const r = kernel.length;
  const lift = (a: number[], fill: number) => [...a, ...new Array<number>(3 - r).fill(fill)];
  return {
    r,
    inS: lift(inSpatial, 1),
    k: lift(kernel, 1),
    s: lift(w.strides, 1),
    d: lift(w.dilations, 1),
    pb: lift(pads.slice(0, r), 0),
    pe: lift(pads.slice(r), 0),
  };
}

/** Output size per spatial dim (floor, or ceil with the "last window starts inside" rule). */
export function outSizes(g: Geo3, ceil: boolean): number[] {
  return g.inS.map((n, i) => {
    const ek = (g.k[i]! - 1) * g.d[i]! + 1;
    const span = n + g.pb[i]! + g.pe[i]! - ek;
    let o = (ceil ? Math.ceil : Math.floor)(span / g.s[i]!) + 1;
    if (ceil && (o - 1) * g.s[i]! >= n + g.pb[i]!) o--;
    return o;
  });
}

export function kernelShape(node: Node, wDims: number[]): number[] {
  return attrInts(node.attrs, 'kernel_shape') ?? wDims.slice(2);
}
