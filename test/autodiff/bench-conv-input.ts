/**
 * Benchmark of the Conv input-gradient formulations (not part of the test suite):
 *   node --import tsx test/autodiff/bench-conv-input.ts [threads=2]
 * Each variant is the emitted training graph of Conv + loss with a gradient for x only, so the difference between
 * variants is the dX cost. Wall-clock minimum over interleaved rounds (the target is 2-thread wall time; minima
 * are what survives other load on the machine).
 */
import { f32, numel } from '../../src/ir/tensor.js';
import { compile, setRuntimeDefaults } from '../../src/runtime/session.js';
import { convLossGraph, type ConvShape } from './conv-loss-graph.js';
import { SeededRng } from '../../src/util/random.js';
import { convSettings, gradientGraph } from '../../src/autodiff/index.js';
import type { InputGradMethod } from '../../src/autodiff/conv-input-grad.js';

const SHAPES: ConvShape[] = [
  { name: 'lenet5 conv2 b128', x: [128, 6, 14, 14], w: [16, 6, 5, 5], pad: 0 },
  { name: 'vgg 32→32 @28 b64', x: [64, 32, 28, 28], w: [32, 32, 3, 3], pad: 1 },
  { name: 'vgg 32→64 @14 b64', x: [64, 32, 14, 14], w: [64, 32, 3, 3], pad: 1 },
  { name: 'vgg 64→64 @14 b64', x: [64, 64, 14, 14], w: [64, 64, 3, 3], pad: 1 },
  { name: 'vgg 64→128 @7 b64', x: [64, 64, 7, 7], w: [128, 64, 3, 3], pad: 1 },
  { name: 'vgg 128→128 @7 b64', x: [64, 128, 7, 7], w: [128, 128, 3, 3], pad: 1 },
];
const METHODS: Exclude<InputGradMethod, 'auto'>[] = ['conv-transpose', 'flipped-conv'];

const rng = new SeededRng(1);
const rand = (dims: number[]) =>
  f32(
    dims,
    Float32Array.from({ length: numel(dims) }, () => rng.normal()),
  );

async function prepare(s: ConvShape, method: InputGradMethod): Promise<() => Promise<unknown>> {
  // w is fed, as in training: a constant weight would let ORT fold the kernel flip and pick other Conv kernels.
  const { g, ys } = convLossGraph(s);
  convSettings.inputGrad = method;
  const tg = gradientGraph(g, { loss: 'loss', wrt: ['x'], keepOutputs: [] });
  convSettings.inputGrad = 'auto';
  const runner = await compile(tg.graph);
  const feeds = { x: rand(s.x), r: rand(ys), w: rand(s.w) };
  const outs = [tg.grads.x!];
  await runner.run(feeds, outs);
  return () => runner.run(feeds, outs);
}

const threads = Number(process.argv[2] ?? 2);
setRuntimeDefaults({ threads });
console.log(`threads=${threads}; best wall ms per run (forward conv + loss + dX)`);
console.log(['shape', ...METHODS, 'conv-transpose / flipped'].join('\t'));
for (const s of SHAPES) {
  const runs = await Promise.all(METHODS.map((m) => prepare(s, m)));
  const best = METHODS.map(() => Infinity);
  for (let round = 0; round < 8; round++) {
    for (const [i, run] of runs.entries()) {
      for (let k = 0; k < 5; k++) {
        const t0 = performance.now();
        await run();
        best[i] = Math.min(best[i]!, performance.now() - t0);
      }
    }
  }
  console.log(`${s.name}\t${best.map((b) => b.toFixed(2)).join('\t')}\t${(best[0]! / best[1]!).toFixed(2)}`);
}
