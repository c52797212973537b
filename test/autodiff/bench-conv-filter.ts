/**
 * Benchmark of the Conv filter-gradient formulations (not part of the test suite):
 *   node --import tsx test/autodiff/bench-conv-filter.ts [threads=1]
 * Reports process CPU time (min over interleaved rounds), which stays meaningful on a loaded machine.
 * Each case runs forward Conv + loss + dW (x is fed, not differentiated), so the differences are the dW cost.
 */
import { f32, numel } from '../../src/ir/tensor.js';
import { compile, setRuntimeDefaults } from '../../src/runtime/session.js';
import { convLossGraph, type ConvShape } from './conv-loss-graph.js';
import { SeededRng } from '../../src/util/random.js';
import { convSettings, gradientGraph } from '../../src/autodiff/index.js';
import type { FilterGradMethod } from '../../src/autodiff/conv-filter-grad.js';

const SHAPES: ConvShape[] = [
  { name: 'lenet5 conv1 b128', x: [128, 1, 28, 28], w: [6, 1, 5, 5], pad: 2 },
  { name: 'lenet5 conv2 b128', x: [128, 6, 14, 14], w: [16, 6, 5, 5], pad: 0 },
  { name: 'vgg conv 1→32 b64', x: [64, 1, 28, 28], w: [32, 1, 3, 3], pad: 1 },
  { name: 'vgg conv 32→32 @28 b64', x: [64, 32, 28, 28], w: [32, 32, 3, 3], pad: 1 },
  { name: 'vgg conv 32→64 @14 b64', x: [64, 32, 14, 14], w: [64, 32, 3, 3], pad: 1 },
  { name: 'vgg conv 64→64 @14 b64', x: [64, 64, 14, 14], w: [64, 64, 3, 3], pad: 1 },
  { name: 'vgg conv 128→128 @7 b64', x: [64, 128, 7, 7], w: [128, 128, 3, 3], pad: 1 },
  { name: 'resnet conv 32→32 s2 b64', x: [64, 16, 28, 28], w: [32, 16, 3, 3], pad: 1, stride: 2 },
  { name: 'depthwise 32 @14 b64', x: [64, 32, 14, 14], w: [32, 1, 3, 3], pad: 1, group: 32 },
];

const rng = new SeededRng(1);
const rand = (dims: number[]) =>
  f32(
    dims,
    Float32Array.from({ length: numel(dims) }, () => rng.normal()),
  );

type Variant = FilterGradMethod | 'forward-only';

/** Compile one variant; returns a function running it once. */
async function prepare(s: ConvShape, method: Variant): Promise<() => Promise<unknown>> {
  const { g, ys } = convLossGraph(s, rand(s.w));
  let graph = g;
  let outs = ['loss'];
  if (method !== 'forward-only') {
    convSettings.filterGrad = method;
    const tg = gradientGraph(g, { loss: 'loss', wrt: ['w'], keepOutputs: [] });
    graph = tg.graph;
    outs = [tg.grads.w!];
  }
  const runner = await compile(graph);
  const feeds = { x: rand(s.x), r: rand(ys), ...(method !== 'forward-only' ? { w: g.initializers.get('w')! } : {}) };
  await runner.run(feeds, outs);
  return () => runner.run(feeds, outs);
}

/** Interleaved rounds, minimum CPU milliseconds per variant. */
async function timeVariants(s: ConvShape, variants: Variant[], rounds = 12): Promise<number[]> {
  const runs = await Promise.all(variants.map((v) => prepare(s, v)));
  const best = variants.map(() => Infinity);
  for (let k = 0; k < rounds; k++) {
    for (let i = 0; i < runs.length; i++) {
      // CPU time of this process (all ORT threads): robust when other jobs share the cores.
      const t0 = process.cpuUsage();
      await runs[i]!();
      const d = process.cpuUsage(t0);
      best[i] = Math.min(best[i]!, (d.user + d.system) / 1000);
    }
  }
  return best;
}

const threads = Number(process.argv[2] ?? 1);
setRuntimeDefaults({ threads });
console.log(`threads=${threads}; CPU ms per run (forward conv + loss [+ dW]); dW cost = total − forward`);
const METHODS: FilterGradMethod[] = ['taps', 'im2col', 'transposed-conv'];
console.log(['shape', 'forward', ...METHODS.map((m) => `${m} dW`)].join('\t'));
for (const s of SHAPES) {
  const [f, ...t] = await timeVariants(s, ['forward-only', ...METHODS]);
  console.log(`${s.name}\t${f!.toFixed(2)}\t${t.map((x) => (x - f!).toFixed(2)).join('\t')}`);
}
