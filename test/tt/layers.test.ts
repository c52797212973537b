/** TT layers inside graphs: exact forward at full rank through ONNX Runtime, and autodiff gradients vs finite differences. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gradientGraph } from '../../src/autodiff/index.js';
import { A } from '../../src/ir/attrs.js';
import type { Graph } from '../../src/ir/graph.js';
import { inferShapes } from '../../src/ir/shape/index.js';
import { f32, i64vec } from '../../src/ir/tensor.js';
import {
  denseWeightOf,
  densify,
  reconstructDense,
  ttConvert,
  type TtConvertOptions,
} from '../../src/passes/tt/index.js';
import { compile } from '../../src/runtime/session.js';
import { convGraph, gemmGraph, matmulGraph, maxAbsDiff, randArray } from './helpers.js';

async function forward(g: Graph, x: Float32Array, dims: number[]): Promise<Float32Array> {
  const r = await compile(g);
  const out = await r.run({ x: f32(dims, x) });
  return out[g.outputs[0]!.name]!.data as Float32Array;
}

const cases: Array<{ name: string; build: () => Graph; dims: number[]; opts: Partial<TtConvertOptions> }> = [
  { name: 'Gemm chain (TT, 3 cores)', build: () => gemmGraph(24, 12), dims: [5, 24], opts: { cores: 3 } },
  { name: 'Gemm chain (tensor ring)', build: () => gemmGraph(24, 12), dims: [5, 24], opts: { cores: 2, ringRank: 2 } },
  {
    name: 'Gemm reconstruct form',
    build: () => gemmGraph(24, 12),
    dims: [5, 24],
    opts: { cores: 2, fcForm: 'reconstruct' },
  },
  { name: 'MatMul chain', build: () => matmulGraph(20, 18), dims: [3, 20], opts: { cores: 2 } },
  { name: 'Conv reconstruct (TT)', build: () => convGraph(4, 8), dims: [2, 4, 6, 6], opts: { cores: 2 } },
  {
    name: 'Conv reconstruct (ring)',
    build: () => convGraph(4, 8),
    dims: [2, 4, 6, 6],
    opts: { cores: 2, ringRank: 2 },
  },
];

describe('TT layer at full rank reproduces the dense layer', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const dense = c.build();
      const x = randArray(
        c.dims.reduce((a, b) => a * b),
        11,
      );
      const want = await forward(dense, x, c.dims);
      const { graph: tt, layers } = ttConvert(dense, { rank: 1000, init: 'svd', maxRatio: 100, ...c.opts });
      assert.equal(layers.length, 1);
      assert.ok(!tt.initializers.has(layers[0]!.weight), 'dense weight removed');
      const got = await forward(tt, x, c.dims);
      assert.ok(maxAbsDiff(got, want) < 1e-4, `forward max diff ${maxAbsDiff(got, want)}`);
      const w0 = dense.initializers.get(layers[0]!.weight)!.data as Float32Array;
      assert.ok(maxAbsDiff(denseWeightOf(tt, layers[0]!), w0) < 1e-5, 'reconstructed weight');
      const back = await forward(densify(tt), x, c.dims);
      assert.ok(maxAbsDiff(back, want) < 1e-4, 'densified model');
    });
  }
});

/** Loss = Σ y ⊙ c, so dL/dy = c; reference gradient by central differences of the float64 reconstruction. */
describe('TT contraction gradients pass the finite-difference check', () => {
  for (const c of cases.filter((k) => !k.name.includes('MatMul'))) {
    test(c.name, async () => {
      const { graph: g, layers } = ttConvert(c.build(), { rank: 3, init: 'random', seed: 5, maxRatio: 100, ...c.opts });
      const layer = layers[0]!;
      const batch = c.dims[0]!;
      const x = randArray(
        c.dims.reduce((a, b) => a * b),
        12,
      );
      const yName = g.outputs[0]!.name;
      inferShapes(g, { batch });
      const yDims = g.valueInfo.get(yName)!.shape as number[];
      const cw = randArray(
        yDims.reduce((a, b) => a * b),
        13,
      );
      const cName = g.addInitializer('loss.c', f32(yDims, cw));
      const prod = g.add('Mul', [yName, cName])[0]!;
      const loss = g.add('ReduceSum', [prod, g.addInitializer('loss.axes', i64vec(yDims.map((_, i) => i)))], {
        keepdims: A.int(0),
      })[0]!;
      g.outputs = [{ name: loss, dtype: 'float32', shape: [] }];
      inferShapes(g, { batch });
      const gg = gradientGraph(g, { loss, wrt: layer.cores });
      const feeds: Record<string, ReturnType<typeof f32>> = { x: f32(c.dims, x) };
      for (const name of layer.cores) feeds[name] = g.initializers.get(name)!;
      const res = await (await compile(gg.graph)).run(feeds);

      // Reference: the dense graph with W = reconstruct(cores) fed as an input. The loss is linear in each single core
      // entry, so a central difference with a big step is exact up to float32 rounding.
      const dense = densify(g);
      dense.outputs = [{ name: loss, dtype: 'float32', shape: [] }];
      const wt = dense.initializers.get(layer.weight)!;
      dense.initializers.delete(layer.weight);
      dense.inputs.push({ name: layer.weight, dtype: 'float32', shape: [...wt.dims] });
      const runner = await compile(dense);
      const cores = layer.cores.map((n) => Float64Array.from(g.initializers.get(n)!.data as Float32Array));
      const lossAt = async (cs: Float64Array[]): Promise<number> => {
        const w = storedLayout(reconstructDense(layer.spec, cs), layer.weightDims, layer.op);
        const out = await runner.run({ x: f32(c.dims, x), [layer.weight]: f32(layer.weightDims, w) });
        return (out[loss]!.data as Float32Array)[0]!;
      };
      for (let k = 0; k < cores.length; k++) {
        const got = res[gg.grads[layer.cores[k]!]!]!.data as Float32Array;
        for (const i of sampleIdx(cores[k]!.length, 6, k)) {
          const h = 0.5;
          const plus = cores.map((a) => a.slice());
          plus[k]![i] += h;
          const minus = cores.map((a) => a.slice());
          minus[k]![i] -= h;
          const fd = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * h);
          assert.ok(
            Math.abs(got[i]! - fd) <= 2e-3 * (1 + Math.abs(fd)),
            `core ${k}[${i}]: autodiff ${got[i]}, finite difference ${fd}`,
          );
        }
      }
    });
  }
});

/** Gemm(transB=1) and Conv store the GEMM view as is; MatMul stores its transpose (not used above). */
function storedLayout(w: Float64Array, dims: number[], op: string): Float32Array {
  if (op !== 'MatMul') return Float32Array.from(w);
  const [k, n] = dims as [number, number];
  const out = new Float32Array(k * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[j * n + i] = w[i * k + j]!;
  return out;
}

function sampleIdx(n: number, count: number, seed: number): number[] {
  const out = new Set<number>();
  for (let t = 0; out.size < Math.min(n, count); t++) out.add((t * 7919 + seed * 104729 + 13) % n);
  return [...out];
}
