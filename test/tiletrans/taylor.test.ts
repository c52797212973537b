/** Taylor importance (w·ḡ)²: the gradient against a hand-derived one, its journey through TileTrans, and the CLI. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main.js';
import type { Dataset } from '../../src/data/dataset.js';
import { buildModel } from '../../src/models/index.js';
import { saveOnnx } from '../../src/onnx/index.js';
import { layerImportance, planTilePrune, prunableLayers } from '../../src/passes/tile/prune.js';
import { taylorGradients } from '../../src/passes/importance/taylor.js';
import { tileTrans } from '../../src/passes/tiletrans/index.js';
import { SeededRng } from '../../src/util/random.js';
import { D, K, probs, softmaxRegression, tinyData } from '../pai/helpers.js';

test('taylor importance of softmax regression = (w·g)² with the hand-derived mean cross-entropy gradient', async () => {
  const g = softmaxRegression();
  const ds = tinyData(64);
  // 2 batches of 32 from a shuffle of 64 samples: together they are the whole set, so ḡ is the full-data mean.
  const t = await taylorGradients(g, ds, { samples: 64, batchSize: 32, seed: 5 });
  assert.equal(t.samples, 64);
  const w = g.initializers.get('fc.weight')!.data as Float32Array;
  const b = g.initializers.get('fc.bias')!.data as Float32Array;
  const ref = new Float64Array(K * D);
  for (let s = 0; s < ds.count; s++) {
    const p = probs(w, b, ds.images, s);
    for (let k = 0; k < K; k++) {
      const e = p[k]! - (ds.labels[s] === k ? 1 : 0);
      for (let j = 0; j < D; j++) ref[k * D + j] += (e * ds.images[s * D + j]!) / ds.count;
    }
  }
  const imp = layerImportance(g, prunableLayers(g)[0]!, 'taylor', t.grads);
  let scale = 0;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, (w[i]! * ref[i]!) ** 2);
  assert.ok(scale > 0);
  for (let i = 0; i < ref.length; i++) {
    assert.ok(Math.abs(t.grads.get('fc.weight')![i]! - ref[i]!) < 1e-5, `grad ${i}`);
    assert.ok(Math.abs(imp[i]! - (w[i]! * ref[i]!) ** 2) < 1e-5 * scale, `importance ${i}`);
  }
});

function images(count: number, classes = 10, seed = 7): Dataset {
  const rng = new SeededRng(seed);
  const imgs = rng.fillNormal(new Float32Array(count * 784));
  const labels = Int32Array.from({ length: count }, () => rng.int(classes));
  return { name: 'noise', images: imgs, labels, count, shape: [1, 28, 28], numClasses: classes };
}

test('TileTrans carries the gradients along: permuted ḡ = ḡ recomputed on the permuted model (residual net)', async () => {
  const g = buildModel('resnet-small', { seed: 3 });
  const ds = images(32);
  const opts = { samples: 32, batchSize: 16, seed: 1 };
  const before = await taylorGradients(g, ds, opts);
  const snapshot = new Map([...before.grads].map(([k, v]) => [k, v.slice()]));
  const r = tileTrans(g, { mode: 'sort', importance: 'taylor', grads: before.grads });
  assert.ok(r.report.permuted > 0);
  const permutedModel = r.graph;
  const carried = r.grads!;
  const fresh = await taylorGradients(permutedModel, ds, opts);
  let moved = 0;
  for (const [name, m] of fresh.grads) {
    const c = carried.get(name)!;
    let mx = 0;
    for (let i = 0; i < m.length; i++) mx = Math.max(mx, Math.abs(m[i]!));
    for (let i = 0; i < m.length; i++) assert.ok(Math.abs(c[i]! - m[i]!) <= 1e-3 * mx + 1e-7, `${name}[${i}]`);
    if (c.some((x, i) => x !== before.grads.get(name)![i])) moved++;
  }
  assert.ok(moved > 0, 'some gradients were permuted');
  // The caller's map and arrays are untouched (the result carries a permuted copy).
  for (const [k, v] of snapshot) assert.deepEqual(before.grads.get(k), v);
  // Tile scores use the Taylor importance, not magnitude.
  const pattern = { kind: 'tile' as const, th: 4, tw: 1 };
  const id = planTilePrune(g, { pattern, sparsity: 0.5, importance: 'taylor', grads: before.grads });
  const mag = planTilePrune(g, { pattern, sparsity: 0.5, importance: 'l2' });
  assert.notDeepEqual(
    id.layers.map((l) => l.importanceKept),
    mag.layers.map((l) => l.importanceKept),
  );
});

test('prune --method tile --importance taylor --data mnist --calib 512 runs end to end (and errors without --data)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'reprune-taylor-'));
  const inp = path.join(dir, 'lenet5.onnx');
  saveOnnx(buildModel('lenet5', { seed: 2 }), inp);
  let out = '';
  let err = '';
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array, ...rest: never[]) => {
    if (typeof s !== 'string') return ow(s, ...rest);
    out += s;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array, ...rest: never[]) => {
    if (typeof s !== 'string') return ew(s, ...rest);
    err += s;
    return true;
  }) as typeof process.stderr.write;
  let code: number;
  let bad: number;
  try {
    code = await main([
      'prune',
      inp,
      '-o',
      path.join(dir, 'p.onnx'),
      '--method',
      'tile',
      '--tile',
      '8x1',
      '--sparsity',
      '0.5',
      '--importance',
      'taylor',
      '--data',
      'mnist',
      '--calib',
      '512',
      '--tiletrans=search',
      '--json',
    ]);
    bad = await main([
      'prune',
      inp,
      '-o',
      path.join(dir, 'q.onnx'),
      '--method',
      'tile',
      '--sparsity',
      '0.5',
      '--importance',
      'taylor',
    ]);
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
  assert.equal(code, 0, err);
  const s = JSON.parse(out) as {
    sparsity: number;
    taylor: { samples: number; loss: number };
    tiletrans: { importanceKept: { identity: number; sort: number; search: number } };
  };
  assert.equal(s.taylor.samples, 512);
  assert.ok(Number.isFinite(s.taylor.loss) && s.taylor.loss > 0);
  assert.ok(Math.abs(s.sparsity - 0.5) < 0.05);
  assert.ok(s.tiletrans.importanceKept.search >= s.tiletrans.importanceKept.identity);
  assert.equal(bad, 2);
  assert.match(err, /--importance taylor: needs training data.*--data mnist/);
});
