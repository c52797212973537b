/**
 * SP-KD gradient check: the value of addSpKdLoss and its gradient w.r.t. the student features, as emitted by our
 * autodiff and run by ORT, against a direct float64 computation and its central differences (every entry).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradientGraph } from '../../src/autodiff/index.js';
import { Graph } from '../../src/ir/graph.js';
import { inferShapes } from '../../src/ir/shape/index.js';
import { f32 } from '../../src/ir/tensor.js';
import { compile } from '../../src/runtime/session.js';
import { addSpKdLoss } from '../../src/train/losses.js';
import { SeededRng } from '../../src/util/random.js';

/** ‖rownorm(Ft·Ftᵀ) − rownorm(Fs·Fsᵀ)‖²_F / b² in float64. */
function spkd(fs: Float64Array, ft: Float64Array, b: number, ds: number, dt: number): number {
  const gram = (f: Float64Array, d: number) => {
    const g = new Float64Array(b * b);
    for (let i = 0; i < b; i++)
      for (let j = 0; j < b; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += f[i * d + c]! * f[j * d + c]!;
        g[i * b + j] = s;
      }
    for (let i = 0; i < b; i++) {
      let n = 0;
      for (let j = 0; j < b; j++) n += g[i * b + j]! ** 2;
      for (let j = 0; j < b; j++) g[i * b + j]! /= Math.sqrt(n);
    }
    return g;
  };
  const gs = gram(fs, ds),
    gt = gram(ft, dt);
  let s = 0;
  for (let i = 0; i < b * b; i++) s += (gt[i]! - gs[i]!) ** 2;
  return s / (b * b);
}

test('SP-KD value and gradient match a direct computation (central differences)', async () => {
  const rng = new SeededRng(11);
  const b = 4,
    sDims = [b, 2, 2, 2],
    tDims = [b, 5, 2, 1];
  const ds = 8,
    dt = 10;
  const fsv = Float32Array.from({ length: b * ds }, () => rng.normal());
  const ftv = Float32Array.from({ length: b * dt }, () => rng.normal());
  const g = new Graph();
  // The student feature is a parameter so the autodiff differentiates the loss with respect to it.
  g.addInitializer('student', f32(sDims, fsv), true);
  const loss = addSpKdLoss(g, [{ student: 'student', teacher: 'teacher', teacherDims: tDims }]);
  g.outputs = [{ name: loss, dtype: 'float32', shape: [] }];
  inferShapes(g);
  const tg = gradientGraph(g, { loss, wrt: ['student'] });
  const res = await (await compile(tg.graph)).run({ student: f32(sDims, fsv), teacher: f32(tDims, ftv) });
  const value = (res[tg.loss]!.data as Float32Array)[0]!;
  const grad = res[tg.grads.student!]!.data as Float32Array;

  const x = Float64Array.from(fsv),
    t = Float64Array.from(ftv);
  const ref = spkd(x, t, b, ds, dt);
  assert.ok(ref > 1e-3, 'a non-trivial loss');
  assert.ok(Math.abs(value - ref) <= 1e-5 * Math.max(1, ref), `value ${value} vs ${ref}`);
  const h = 1e-5;
  let maxErr = 0,
    maxG = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    x[i] = xi + h;
    const up = spkd(x, t, b, ds, dt);
    x[i] = xi - h;
    const down = spkd(x, t, b, ds, dt);
    x[i] = xi;
    const num = (up - down) / (2 * h);
    maxErr = Math.max(maxErr, Math.abs(num - grad[i]!));
    maxG = Math.max(maxG, Math.abs(num));
  }
  assert.ok(maxG > 1e-4, 'the gradient is not trivially zero');
  assert.ok(maxErr <= 1e-3 * maxG + 1e-6, `max |autodiff − numeric| = ${maxErr} (max |grad| ${maxG})`);
});
