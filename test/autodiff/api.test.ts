import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32, i64, i64vec, tensor } from '../../src/ir/tensor.js';
import { compile } from '../../src/runtime/session.js';
import { ReproError } from '../../src/util/errors.js';
import { gradientGraph } from '../../src/autodiff/index.js';
import { annotateShapes } from './gradcheck.js';
import { inferShapes } from '../../src/ir/shape/index.js';

/** x → op → Σ·r with x a parameter; returns graph parts. */
async function tiny(op: string, attrs = {}, extra: (g: Graph) => string[] = () => [], opset?: number): Promise<Graph> {
  const g = new Graph();
  if (opset) g.opset = opset;
  g.addInitializer(
    'x',
    f32(
      [2, 8],
      Array.from({ length: 16 }, (_, i) => Math.sin(i + 1)),
    ),
    true,
  );
  g.addInitializer('unused', f32([3], [1, 2, 3]), true);
  g.add(op, ['x', ...extra(g)], attrs, { outputs: ['y'] });
  g.addInitializer(
    'r',
    f32(
      [2, 8],
      Array.from({ length: 16 }, (_, i) => Math.cos(i)),
    ),
    true,
  );
  g.add('Mul', ['y', 'r'], {}, { outputs: ['yr'] });
  g.add('ReduceSum', ['yr'], { keepdims: A.int(0) }, { outputs: ['loss'] });
  g.outputs = [{ name: 'loss', dtype: 'float32' }];
  await annotateShapes(g);
  return g;
}

describe('gradientGraph API', () => {
  test('parameters become inputs; a parameter off the loss path gets a zero gradient', async () => {
    const g = await tiny('Relu');
    const tg = gradientGraph(g, { loss: 'loss', wrt: ['x', 'unused'] });
    assert.ok(tg.graph.isGraphInput('x') && tg.graph.isGraphInput('unused'));
    assert.ok(!tg.graph.initializers.has('x'));
    assert.ok(g.initializers.has('x'), 'the input graph is not modified');
    const out = await (await compile(tg.graph)).run({
      x: g.initializers.get('x')!,
      unused: g.initializers.get('unused')!,
    });
    assert.deepEqual(Array.from(out[tg.grads.unused!]!.data as Float32Array), [0, 0, 0]);
    const x = g.initializers.get('x')!.data as Float32Array;
    const r = g.initializers.get('r')!.data as Float32Array;
    const gx = out[tg.grads.x!]!.data as Float32Array;
    gx.forEach((v, i) => {
      assert.ok(v === (x[i]! > 0 ? r[i]! : 0), `dx[${i}] = ${v}`);
    });
    assert.equal(tg.graph.outputs[0]!.name, 'loss');
  });

  test('a missing rule names the node and lists the ops that have gradients', async () => {
    const g = await tiny('Softsign');
    assert.throws(
      () => gradientGraph(g, { loss: 'loss', wrt: ['x'] }),
      (e: unknown) => {
        assert.ok(e instanceof ReproError);
        assert.match(e.message, /no gradient rule for node 'softsign' \(Softsign\); ops with gradients: .*Conv.*Relu/);
        return true;
      },
    );
  });

  test('Slice bounds computed from Shape (PyTorch chunk exports) are read from shape inference', async () => {
    // y = x[:, : x.shape[1] / 2], the end computed by Shape → Gather → Div → Unsqueeze at run time.
    const g = await tiny('Identity');
    g.nodes = g.nodes.filter((n) => n.opType !== 'Identity');
    const dim = g.add('Gather', [g.add('Shape', ['x'])[0]!, g.addInitializer('one', i64([], [1]))], { axis: A.int(0) });
    const half = g.add('Div', [dim[0]!, g.addInitializer('two', i64([], [2]))])[0]!;
    const end = g.add('Unsqueeze', [half, g.addInitializer('ax0', i64vec([0]))])[0]!;
    g.add(
      'Slice',
      ['x', g.addInitializer('zero', i64vec([0])), end, g.addInitializer('ax1', i64vec([1]))],
      {},
      {
        outputs: ['y'],
      },
    );
    g.initializers.set(
      'r',
      f32(
        [2, 4],
        Array.from({ length: 8 }, (_, i) => i + 1),
      ),
    );
    inferShapes(g);
    const tg = gradientGraph(g, { loss: 'loss', wrt: ['x'] });
    const out = await (await compile(tg.graph)).run({ x: g.initializers.get('x')! });
    assert.deepEqual(
      Array.from(out[tg.grads.x!]!.data as Float32Array),
      [1, 2, 3, 4, 0, 0, 0, 0, 5, 6, 7, 8, 0, 0, 0, 0],
    );
  });

  test('unknown loss or parameter is a ReproError', async () => {
    const g = await tiny('Relu');
    assert.throws(() => gradientGraph(g, { loss: 'nope', wrt: ['x'] }), ReproError);
    assert.throws(() => gradientGraph(g, { loss: 'loss', wrt: ['nope'] }), ReproError);
  });

  test('Dropout in training mode: seeded mask, dX = dY·mask/(1−p), masks change between steps', async () => {
    const g = await tiny('Dropout', { seed: A.int(0) }, (gr) => [
      gr.addInitializer('ratio', f32([], [0.25]), true),
      gr.addInitializer('train', tensor('bool', [], Uint8Array.of(0)), true),
    ]);
    const tg = gradientGraph(g, { loss: 'loss', wrt: ['x'], keepOutputs: ['y'], dropoutSeed: 5 });
    const runner = await compile(tg.graph);
    const x = g.initializers.get('x')!.data as Float32Array;
    const r = g.initializers.get('r')!.data as Float32Array;
    const masks: string[] = [];
    for (let step = 0; step < 3; step++) {
      const out = await runner.run({ x: g.initializers.get('x')! });
      const y = out.y!.data as Float32Array;
      const gx = out[tg.grads.x!]!.data as Float32Array;
      let kept = '';
      y.forEach((v, i) => {
        const on = v !== 0;
        kept += on ? '1' : '0';
        assert.ok(Math.abs(v - (on ? x[i]! / 0.75 : 0)) < 1e-6);
        assert.ok(Math.abs(gx[i]! - (on ? r[i]! / 0.75 : 0)) < 1e-6);
      });
      masks.push(kept);
    }
    assert.ok(new Set(masks).size > 1, 'a fresh mask each step');
  });

  test('Dropout in training mode before opset 12 (ratio attribute, RandomUniformLike mask)', async () => {
    const g = await tiny('Dropout', { ratio: A.float(0.25) }, () => [], 11);
    const tg = gradientGraph(g, { loss: 'loss', wrt: ['x'], keepOutputs: ['y'], dropoutSeed: 5 });
    const runner = await compile(tg.graph);
    const x = g.initializers.get('x')!.data as Float32Array;
    const r = g.initializers.get('r')!.data as Float32Array;
    const masks: string[] = [];
    for (let step = 0; step < 3; step++) {
      const out = await runner.run({ x: g.initializers.get('x')! });
      const y = out.y!.data as Float32Array;
      const gx = out[tg.grads.x!]!.data as Float32Array;
      let kept = '';
      y.forEach((v, i) => {
        const on = v !== 0;
        kept += on ? '1' : '0';
        assert.ok(Math.abs(v - (on ? x[i]! / 0.75 : 0)) < 1e-6);
        assert.ok(Math.abs(gx[i]! - (on ? r[i]! / 0.75 : 0)) < 1e-6);
      });
      masks.push(kept);
    }
    assert.ok(new Set(masks).size > 1, 'a fresh mask each step');
  });

  test('Dropout with ratio 0 is an identity', async () => {
    const g = await tiny('Dropout', {}, (gr) => [gr.addInitializer('ratio', f32([], [0]), true)]);
    const tg = gradientGraph(g, { loss: 'loss', wrt: ['x'] });
    assert.ok(!tg.graph.nodes.some((n) => n.opType === 'Dropout'));
    const out = await (await compile(tg.graph)).run({ x: g.initializers.get('x')! });
    assert.deepEqual(
      Array.from(out[tg.grads.x!]!.data as Float32Array),
      Array.from(g.initializers.get('r')!.data as Float32Array),
    );
  });
});
