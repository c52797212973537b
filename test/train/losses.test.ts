import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../../src/ir/graph.js';
import { f32, i64, type Tensor } from '../../src/ir/tensor.js';
import { compile } from '../../src/runtime/session.js';
import { SeededRng } from '../../src/util/random.js';
import {
  addCrossEntropy,
  addKdLoss,
  addL2Penalty,
  addMse,
  addProximalPenalty,
  addSpKdLoss,
  weightedSum,
} from '../../src/train/losses.js';

const rng = new SeededRng(7);
const rand = (n: number) => rng.fillNormal(new Float32Array(n));

/** A graph whose "model output" is just an input (so we can feed any student values). */
function graphWith(inputs: Record<string, number[]>): Graph {
  const g = new Graph();
  g.inputs = Object.entries(inputs).map(([name, shape]) => ({ name, dtype: 'float32' as const, shape }));
  return g;
}

async function evalScalar(g: Graph, loss: string, feeds: Record<string, Tensor>): Promise<number> {
  g.outputs = [{ name: loss, dtype: 'float32', shape: [] }];
  const r = await compile(g);
  const out = await r.run(feeds, [loss]);
  return (out[loss]!.data as Float32Array)[0]!;
}

function logSoftmaxRow(x: Float32Array, off: number, k: number, t = 1): Float64Array {
  let m = -Infinity;
  for (let j = 0; j < k; j++) m = Math.max(m, x[off + j]! / t);
  let s = 0;
  for (let j = 0; j < k; j++) s += Math.exp(x[off + j]! / t - m);
  const out = new Float64Array(k);
  for (let j = 0; j < k; j++) out[j] = x[off + j]! / t - m - Math.log(s);
  return out;
}

/** Reference SP-KD term with float64 arithmetic. */
function spkdRef(fs: Float32Array, ft: Float32Array, b: number, ds: number, dt: number): number {
  const gram = (f: Float32Array, d: number) => {
    const gm = new Float64Array(b * b);
    for (let i = 0; i < b; i++)
      for (let j = 0; j < b; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += f[i * d + c]! * f[j * d + c]!;
        gm[i * b + j] = s;
      }
    for (let i = 0; i < b; i++) {
      let n = 0;
      for (let j = 0; j < b; j++) n += gm[i * b + j]! ** 2;
      n = Math.sqrt(n);
      for (let j = 0; j < b; j++) gm[i * b + j]! /= n;
    }
    return gm;
  };
  const gs = gram(fs, ds),
    gt = gram(ft, dt);
  let s = 0;
  for (let i = 0; i < b * b; i++) s += (gt[i]! - gs[i]!) ** 2;
  return s / (b * b);
}

const rel = (a: number, b: number, tol = 1e-4) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('losses match direct computations', () => {
  test('cross-entropy (one-hot and index labels, smoothing)', async () => {
    const b = 4,
      k = 5;
    const x = rand(b * k);
    const y = [0, 3, 4, 1];
    const eps = 0.1;
    let ref = 0;
    for (let i = 0; i < b; i++) {
      const lp = logSoftmaxRow(x, i * k, k);
      for (let j = 0; j < k; j++) ref -= ((j === y[i] ? 1 - eps : 0) + eps / k) * lp[j]!;
    }
    ref /= b;
    const g1 = graphWith({ logits: [b, k] });
    const oh = new Float32Array(b * k);
    y.forEach((c, i) => {
      oh[i * k + c] = 1;
    });
    const l1 = addCrossEntropy(g1, 'logits', 'labels', { smoothing: eps });
    rel(await evalScalar(g1, l1, { logits: f32([b, k], x), labels: f32([b, k], oh) }), ref);
    const g2 = graphWith({ logits: [b, k] });
    const l2 = addCrossEntropy(g2, 'logits', 'labels', { labelKind: 'index', smoothing: eps });
    rel(await evalScalar(g2, l2, { logits: f32([b, k], x), labels: i64([b], y) }), ref);
  });

  test('Hinton KD with temperature', async () => {
    const b = 3,
      k = 6,
      T = 3;
    const s = rand(b * k),
      t = rand(b * k);
    let ref = 0;
    for (let i = 0; i < b; i++) {
      const lt = logSoftmaxRow(t, i * k, k, T),
        ls = logSoftmaxRow(s, i * k, k, T);
      for (let j = 0; j < k; j++) ref += Math.exp(lt[j]!) * (lt[j]! - ls[j]!);
    }
    ref = (ref * T * T) / b;
    const g = graphWith({ s: [b, k] });
    const l = addKdLoss(g, 's', 'teacher_logits', T);
    rel(await evalScalar(g, l, { s: f32([b, k], s), teacher_logits: f32([b, k], t) }), ref);
  });

  test('SP-KD over two layers with different teacher widths', async () => {
    const b = 5;
    const s1 = rand(b * 2 * 3 * 3),
      t1 = rand(b * 4 * 3 * 3),
      s2 = rand(b * 7),
      t2 = rand(b * 7);
    const ref = spkdRef(s1, t1, b, 18, 36) + spkdRef(s2, t2, b, 7, 7);
    const g = graphWith({ f1: [b, 2, 3, 3], f2: [b, 7] });
    const l = addSpKdLoss(g, [
      { student: 'f1', teacher: 't1', teacherDims: [b, 4, 3, 3] },
      { student: 'f2', teacher: 't2' },
    ]);
    const v = await evalScalar(g, l, {
      f1: f32([b, 2, 3, 3], s1),
      t1: f32([b, 4, 3, 3], t1),
      f2: f32([b, 7], s2),
      t2: f32([b, 7], t2),
    });
    rel(v, ref);
    assert.ok(v > 0);
  });

  test('MSE, L2, proximal (ADMM) penalty and weighted sum', async () => {
    const g = graphWith({ p: [2, 3] });
    g.addInitializer('w', f32([2, 2], [1, -2, 3, 0.5]), true);
    const pv = rand(6),
      tv = rand(6),
      z = rand(4),
      u = rand(4);
    const mse = addMse(g, 'p', 'target');
    const l2 = addL2Penalty(g, ['w'], 0.2);
    const prox = addProximalPenalty(g, 'w', 0.5);
    const total = weightedSum(g, [{ value: mse, weight: 2 }, { value: l2 }, { value: prox.value, weight: 3 }]);
    const w = [1, -2, 3, 0.5];
    let refMse = 0;
    for (let i = 0; i < 6; i++) refMse += (pv[i]! - tv[i]!) ** 2;
    refMse /= 6;
    const refL2 = 0.1 * w.reduce((a, x) => a + x * x, 0);
    let refProx = 0;
    for (let i = 0; i < 4; i++) refProx += (w[i]! - z[i]! + u[i]!) ** 2;
    refProx *= 0.25;
    const v = await evalScalar(g, total, {
      p: f32([2, 3], pv),
      target: f32([2, 3], tv),
      [prox.z]: f32([2, 2], z),
      [prox.u]: f32([2, 2], u),
    });
    rel(v, 2 * refMse + refL2 + 3 * refProx);
  });
});
