/**
 * The graph both Conv gradient benchmarks time: y = Conv(x, w), loss = Σ y·r with r a fed random projection, so the
 * upstream gradient is r and only the Conv's own gradients differ between variants.
 */
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/ir/tensor.js';

export interface ConvShape {
  name: string;
  x: number[];
  w: number[];
  pad: number;
  stride?: number;
  group?: number;
}

/** `w` is an initializer with value `w`, or (when `w` is undefined) a graph input fed every run as in training. */
export function convLossGraph(s: ConvShape, w?: Tensor): { g: Graph; ys: number[] } {
  const g = new Graph();
  g.inputs = [{ name: 'x', dtype: 'float32', shape: s.x }];
  if (w) g.addInitializer('w', w, true);
  else g.inputs.push({ name: 'w', dtype: 'float32', shape: s.w });
  const st = s.stride ?? 1;
  const attrs = { pads: A.ints([s.pad, s.pad, s.pad, s.pad]), strides: A.ints([st, st]), group: A.int(s.group ?? 1) };
  g.add('Conv', ['x', 'w'], attrs, { outputs: ['y'] });
  const ho = Math.floor((s.x[2]! + 2 * s.pad - s.w[2]!) / st) + 1;
  const ys = [s.x[0]!, s.w[0]!, ho, ho];
  g.inputs.push({ name: 'r', dtype: 'float32', shape: ys });
  g.add('Mul', ['y', 'r'], {}, { outputs: ['yr'] });
  g.add('ReduceSum', ['yr'], { keepdims: A.int(0) }, { outputs: ['loss'] });
  for (const [n, shape] of [
    ['y', ys],
    ['yr', ys],
    ['loss', []],
  ] as const)
    g.valueInfo.set(n, { name: n, dtype: 'float32', shape: [...shape] });
  g.outputs = [{ name: 'loss', dtype: 'float32' }];
  return { g, ys };
}
