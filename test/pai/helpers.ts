/** A tiny softmax-regression / two-layer net and a synthetic dataset for the score tests. */
import type { Dataset } from '../../src/data/dataset.js';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32 } from '../../src/ir/tensor.js';
import { SeededRng } from '../../src/util/random.js';

export const D = 6;
export const K = 4;

export function tinyData(count = 64, seed = 3): Dataset {
  const rng = new SeededRng(seed);
  const images = rng.fillNormal(new Float32Array(count * D));
  const labels = Int32Array.from(
    { length: count },
    (_, i) => (images[i * D]! > 0 ? 1 : 0) + (images[i * D + 1]! > 0 ? 2 : 0),
  );
  return { name: 'tiny', images, labels, count, shape: [D], numClasses: K };
}

/** logits = x·Wᵀ + b (one Gemm). */
export function softmaxRegression(seed = 1): Graph {
  const rng = new SeededRng(seed);
  const g = new Graph();
  g.inputs.push({ name: 'input', dtype: 'float32', shape: ['N', D] });
  g.addInitializer('fc.weight', f32([K, D], rng.fillNormal(new Float32Array(K * D), 0, 0.5)));
  g.addInitializer('fc.bias', f32([K], rng.fillNormal(new Float32Array(K), 0, 0.1)));
  g.add('Gemm', ['input', 'fc.weight', 'fc.bias'], { transB: A.int(1) }, { name: 'fc', outputs: ['logits'] });
  g.outputs.push({ name: 'logits', dtype: 'float32', shape: ['N', K] });
  return g;
}

/** Bias-free x → W1 (H×D) → ReLU → W2 (K×H). */
export function biasFreeMlp(H = 5, seed = 2): Graph {
  const rng = new SeededRng(seed);
  const g = new Graph();
  g.inputs.push({ name: 'input', dtype: 'float32', shape: ['N', D] });
  g.addInitializer('fc1.weight', f32([H, D], rng.fillNormal(new Float32Array(H * D), 0, 0.5)));
  g.addInitializer('fc2.weight', f32([K, H], rng.fillNormal(new Float32Array(K * H), 0, 0.5)));
  const h = g.add('Gemm', ['input', 'fc1.weight'], { transB: A.int(1) }, { name: 'fc1' })[0]!;
  const r = g.add('Relu', [h], {}, { name: 'relu' })[0]!;
  g.add('Gemm', [r, 'fc2.weight'], { transB: A.int(1) }, { name: 'fc2', outputs: ['logits'] });
  g.outputs.push({ name: 'logits', dtype: 'float32', shape: ['N', K] });
  return g;
}

/** Softmax probabilities of x·Wᵀ + b for sample s (float64). */
export function probs(w: Float32Array, b: Float32Array, x: Float32Array, s: number): Float64Array {
  const z = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    z[k] = b[k]!;
    for (let j = 0; j < D; j++) z[k] += w[k * D + j]! * x[s * D + j]!;
  }
  const mx = Math.max(...z);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    z[k] = Math.exp(z[k]! - mx);
    sum += z[k]!;
  }
  for (let k = 0; k < K; k++) z[k] /= sum;
  return z;
}
