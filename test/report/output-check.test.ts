/**
 * The report's output check (max and mean |Δlogits|, top-1 agreement against the dense model) equals the same
 * numbers computed directly here: one ONNX Runtime run over all samples, and the float64 reference evaluator.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { runPass } from '../../src/api/passes.js';
import { loadDataset } from '../../src/data/sources.js';
import type { Graph } from '../../src/ir/graph.js';
import { evaluateReference } from '../../src/ir/reference/index.js';
import { buildModel } from '../../src/models/index.js';
import { saveOnnx } from '../../src/onnx/save.js';
import { buildReportHtml } from '../../src/report/html.js';
import { measureModel } from '../../src/report/measure.js';
import { collectLogits } from '../../src/report/output-check.js';
import { compile } from '../../src/runtime/session.js';

const N = 64;

function stats(a: ArrayLike<number>, b: ArrayLike<number>, classes: number) {
  let max = 0;
  let sum = 0;
  let agree = 0;
  const argmax = (x: ArrayLike<number>, r: number) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (x[r * classes + c]! > x[r * classes + best]!) best = c;
    return best;
  };
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs(a[i]! - b[i]!));
    sum += Math.abs(a[i]! - b[i]!);
  }
  for (let r = 0; r < a.length / classes; r++) if (argmax(a, r) === argmax(b, r)) agree++;
  return { max, mean: sum / a.length, agreement: agree / (a.length / classes) };
}

async function ortLogits(g: Graph, x: Float32Array): Promise<Float32Array> {
  const out = await (await compile(g)).run({
    [g.inputs[0]!.name]: { dtype: 'float32', dims: [N, 1, 28, 28], data: x },
  });
  return out[g.outputs[0]!.name]!.data as Float32Array;
}

test('output check = |Δlogits| and top-1 agreement computed directly', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'reprune-check-'));
  const test = loadDataset('mnist', 'test', { limit: N });
  const dense = buildModel('lenet5', { seed: 5 });
  const pruned = (await runPass('channels', dense, { criterion: 'l1', ratio: 0.5 })).graph;
  const file = path.join(dir, 'pruned.onnx');
  saveOnnx(pruned, file);
  const row = await measureModel({
    method: 'l1',
    label: 'L1 half the channels',
    graph: pruned,
    file,
    test,
    latencyIters: 2,
    dense: { graph: dense, logits: await collectLogits(dense, test) },
  });
  const c = row.outputCheck!;
  assert.equal(c.samples, N);

  const x = test.images.slice(0, N * 784);
  const direct = stats(await ortLogits(dense, x), await ortLogits(pruned, x), 10);
  assert.ok(Math.abs(c.maxAbs - direct.max) <= 1e-6 * direct.max, `max ${c.maxAbs} vs ${direct.max}`);
  assert.ok(Math.abs(c.meanAbs - direct.mean) <= 1e-6 * direct.mean, `mean ${c.meanAbs} vs ${direct.mean}`);
  assert.equal(c.top1Agreement, direct.agreement);
  assert.ok(c.maxAbs > 0 && c.top1Agreement < 1, 'pruning half the channels changes the outputs');

  // Independently of ONNX Runtime: the float64 reference evaluator.
  const feed = { [dense.inputs[0]!.name]: { dtype: 'float32' as const, dims: [N, 1, 28, 28], data: x } };
  const ref = (g: Graph) => evaluateReference(g, feed)[g.outputs[0]!.name]!.data;
  const exact = stats(ref(dense), ref(pruned), 10);
  assert.ok(Math.abs(c.maxAbs - exact.max) <= 1e-4 * exact.max, `max ${c.maxAbs} vs reference ${exact.max}`);
  assert.ok(Math.abs(c.meanAbs - exact.mean) <= 1e-4 * exact.mean, `mean ${c.meanAbs} vs reference ${exact.mean}`);

  // The report shows those numbers, and the per-layer table has every dense layer.
  assert.equal(row.changes!.layers.length, 5);
  assert.deepEqual(row.changes!.layers[0]!.before!.weightShape, [6, 1, 5, 5]);
  assert.deepEqual(row.changes!.layers[0]!.after!.weightShape, [3, 1, 5, 5]);
  const html = await buildReportHtml({
    version: 1,
    createdAt: '',
    command: 'test',
    machine: '',
    dataset: 'mnist',
    latencyBatch: 1,
    baseline: { ...row, method: 'dense', label: 'dense', outputCheck: undefined, changes: undefined },
    methods: [row],
    curves: [],
    heatmaps: [],
    scaling: [],
  });
  assert.ok(html.includes(`<td>${c.maxAbs.toFixed(4)}</td>`), 'max |Δlogits| in the report');
  assert.ok(html.includes(`${(100 * c.top1Agreement).toFixed(2)} %`), 'top-1 agreement in the report');
  assert.match(html, /conv1<\/td><td>Conv \[6×1×5×5\]<\/td><td>Conv \[3×1×5×5\]/);
});
