import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, Sgd, makeOptimizer, makeSchedule, type Param } from '../../src/train/optim/index.js';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const param = (w: number[], g: number[], mask?: number[]): Param => ({
  name: 'p',
  data: Float32Array.from(w),
  grad: Float32Array.from(g),
  mask: mask ? Uint8Array.from(mask) : undefined,
});

describe('SGD', () => {
  test('plain step with weight decay', () => {
    const p = param([1, -2], [0.5, 0.25]);
    new Sgd({ weightDecay: 0.1 }).step([p], 0.1);
    close(p.data[0]!, 1 - 0.1 * (0.5 + 0.1)); // 0.94
    close(p.data[1]!, -2 - 0.1 * (0.25 - 0.2)); // -2.005
  });

  test('momentum: two steps by hand', () => {
    const p = param([1], [0.5]);
    const o = new Sgd({ momentum: 0.9 });
    o.step([p], 0.1); // b = 0.5, w = 0.95
    close(p.data[0]!, 0.95);
    p.grad[0] = 1;
    o.step([p], 0.1); // b = 0.45 + 1 = 1.45, w = 0.95 - 0.145 = 0.805
    close(p.data[0]!, 0.805);
    close(o.state().buffers['p/momentum']![0]!, 1.45);
  });

  test('nesterov: two steps by hand', () => {
    const p = param([1], [0.5]);
    const o = new Sgd({ momentum: 0.9, nesterov: true });
    o.step([p], 0.1); // b = 0.5, d = 0.5 + 0.45 = 0.95, w = 0.905
    close(p.data[0]!, 0.905);
    p.grad[0] = 1;
    o.step([p], 0.1); // b = 1.45, d = 1 + 1.305 = 2.305, w = 0.905 - 0.2305 = 0.6745
    close(p.data[0]!, 0.6745);
  });

  test('mask pins weights and momentum at exactly 0', () => {
    const p = param([1, 3], [0.5, 0.5], [1, 0]);
    const o = new Sgd({ momentum: 0.9, weightDecay: 1e-4 });
    for (let i = 0; i < 3; i++) o.step([p], 0.1);
    assert.equal(p.data[1], 0);
    assert.equal(o.state().buffers['p/momentum']![1], 0);
    assert.notEqual(p.data[0], 1);
  });

  test('state round-trip continues identically', () => {
    const a = param([1, 2], [0.3, -0.1]);
    const b = param([1, 2], [0.3, -0.1]);
    const oa = new Sgd({ momentum: 0.9 });
    oa.step([a], 0.1);
    const ob = new Sgd({ momentum: 0.9 });
    ob.step([b], 0.1);
    const restored = new Sgd({ momentum: 0.9 });
    restored.load(ob.state());
    oa.step([a], 0.1);
    restored.step([b], 0.1);
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
  });
});

describe('Adam', () => {
  test('first step moves by lr·sign(g)', () => {
    const p = param([1, 1], [0.5, -2]);
    new Adam().step([p], 0.01);
    close(p.data[0]!, 0.99, 1e-6);
    close(p.data[1]!, 1.01, 1e-6);
  });

  test('second step by hand', () => {
    const p = param([1], [0.5]);
    const o = new Adam({ beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    o.step([p], 0.1);
    p.grad[0] = 1;
    o.step([p], 0.1);
    // m = 0.9·0.05 + 0.1 = 0.145; v = 0.999·0.00025 + 0.001 = 0.00124975
    const m = 0.145,
      v = 0.00124975;
    const mhat = m / (1 - 0.81),
      vhat = v / (1 - 0.999 * 0.999);
    close(p.data[0]!, 0.9 - (0.1 * mhat) / (Math.sqrt(vhat) + 1e-8), 1e-6);
  });

  test('adam L2 vs adamw decoupled decay', () => {
    const a = param([2], [0]);
    new Adam({ weightDecay: 0.1 }).step([a], 0.01); // g = 0.2 → moves by lr
    close(a.data[0]!, 1.99);
    const w = param([2], [0]);
    makeOptimizer({ kind: 'adamw', weightDecay: 0.1 }).step([w], 0.01); // w·(1 − 0.001), g = 0 → no Adam move
    close(w.data[0]!, 2 * (1 - 0.001));
  });
});

describe('schedules', () => {
  test('cosine from lr to 0', () => {
    const s = makeSchedule({ kind: 'cosine', lr: 0.1, totalSteps: 100 });
    close(s(0), 0.1);
    close(s(50), 0.05);
    close(s(100), 0);
  });
  test('step decays by gamma every k epochs', () => {
    const s = makeSchedule({ kind: 'step', lr: 1, totalSteps: 90, stepsPerEpoch: 10, stepEpochs: 3, gamma: 0.1 });
    close(s(29), 1);
    close(s(30), 0.1);
    close(s(89), 0.01);
  });
  test('linear warm-up then constant', () => {
    const s = makeSchedule({ kind: 'none', lr: 0.4, totalSteps: 100, warmupSteps: 4 });
    close(s(0), 0.1);
    close(s(3), 0.4);
    close(s(50), 0.4);
  });
});
