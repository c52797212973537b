/** Tiny graphs and reference math for the TT tests. */
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32 } from '../../src/ir/tensor.js';
import { SeededRng } from '../../src/util/random.js';

export function randArray(n: number, seed: number, std = 1): Float32Array {
  return new SeededRng(seed).fillNormal(new Float32Array(n), 0, std);
}

/** input [N, nin] → Gemm(transB=1, bias) → 'y' [N, nout]. */
export function gemmGraph(nin: number, nout: number, seed = 1): Graph {
  const g = new Graph();
  g.inputs.push({ name: 'x', dtype: 'float32', shape: ['N', nin] });
  const w = g.addInitializer('fc.weight', f32([nout, nin], randArray(nout * nin, seed, 0.3)));
  const b = g.addInitializer('fc.bias', f32([nout], randArray(nout, seed + 1, 0.1)));
  g.add('Gemm', ['x', w, b], { transB: A.int(1) }, { name: 'fc', outputs: ['y'] });
  g.outputs.push({ name: 'y', dtype: 'float32', shape: ['N', nout] });
  return g;
}

/** input [N, nin] → MatMul with W [nin, nout] → 'y'. */
export function matmulGraph(nin: number, nout: number, seed = 2): Graph {
  const g = new Graph();
  g.inputs.push({ name: 'x', dtype: 'float32', shape: ['N', nin] });
  const w = g.addInitializer('mm.weight', f32([nin, nout], randArray(nout * nin, seed, 0.3)));
  g.add('MatMul', ['x', w], {}, { name: 'mm', outputs: ['y'] });
  g.outputs.push({ name: 'y', dtype: 'float32', shape: ['N', nout] });
  return g;
}

/** input [N, cin, 6, 6] → Conv k×k pad 1 (bias) → 'y'. */
export function convGraph(cin: number, cout: number, k = 3, seed = 3): Graph {
  const g = new Graph();
  g.inputs.push({ name: 'x', dtype: 'float32', shape: ['N', cin, 6, 6] });
  const w = g.addInitializer('conv.weight', f32([cout, cin, k, k], randArray(cout * cin * k * k, seed, 0.3)));
  const b = g.addInitializer('conv.bias', f32([cout], randArray(cout, seed + 1, 0.1)));
  g.add(
    'Conv',
    ['x', w, b],
    { kernel_shape: A.ints([k, k]), pads: A.ints([1, 1, 1, 1]) },
    { name: 'conv', outputs: ['y'] },
  );
  g.outputs.push({ name: 'y', dtype: 'float32', shape: ['N', cout, 6, 6] });
  return g;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}
