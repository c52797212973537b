/** `reprune bench tedepr --seeds N`: every setting once per seed, the summary tables as mean ± std. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archBudget, benchConfig, benchTedepr, resultJson, TEDEPR_BUDGETS } from '../../src/bench/tedepr.js';
import { benchDataOf } from '../../src/models/trained.js';
import { TEDEPR_SPEC } from '../../src/passes/tedepr/spec.js';

test('--seeds 2 with --shuffle: two runs per (score, control, mode), summaries over both seeds', async () => {
  const cfg = benchConfig({
    archs: 'mlp',
    sparsities: '98',
    scores: 'magnitude,random',
    epochs: '1',
    trainLimit: '256',
    testLimit: '100',
    seeds: '2',
    seed: '5',
    shuffle: true,
  });
  const { rows, markdown } = await benchTedepr(cfg, () => {});
  assert.equal(rows.length, 2 * 2 * 2 * 2); // score × (score, control) × (dense, tt) × seed
  assert.deepEqual([...new Set(rows.map((r) => r.seed))].sort(), [5, 6]);
  const best = (markdown.split('Best dense score')[1] ?? '').split('Each score')[0]!;
  const bestRows = best.split('\n').filter((l) => l.startsWith('| mlp |'));
  assert.equal(bestRows.length, 1);
  assert.match(bestRows[0]!, /\d+\.\d\d ± \d+\.\d\d \((magnitude|random)\)/);
  const shuffle = (markdown.split('Each score vs its random-shuffle control')[1] ?? '').split('\n');
  assert.equal(shuffle.filter((l) => l.startsWith('| mlp |')).length, 4, 'one line per score and mode');
  assert.match(markdown, /seeds 5–6/);
  assert.match(markdown, /mlp on mnist: 1 epoch\(s\) on 256 training images, first 100 test images/);
  // Every summary mean is the mean of that setting's two runs.
  const mag = rows.filter((r) => r.score === 'magnitude' && r.mode === 'tt' && !r.shuffled);
  const mean = (100 * (mag[0]!.accuracy + mag[1]!.accuracy)) / 2;
  assert.ok(shuffle.some((l) => l.startsWith(`| mlp | 98.0% | magnitude | tt | ${mean.toFixed(2)} ±`)));
});

test('defaults: 3 seeds at 98/99/99.5 % with the default score’s shuffle control; --quick: one seed, no control', () => {
  const full = benchConfig({});
  assert.deepEqual(full.sparsities, [0.98, 0.99, 0.995]);
  assert.equal(full.seeds, 3);
  assert.deepEqual(full.shuffle, ['synflow'], 'the control of the tedepr pass’s default score');
  assert.deepEqual(benchConfig({ shuffle: false }).shuffle, []);
  assert.deepEqual(benchConfig({ shuffle: true, scores: 'snip,grasp' }).shuffle, ['snip', 'grasp']);
  assert.deepEqual(benchConfig({ scores: 'snip' }).shuffle, [], 'no control of a score that does not run');
  assert.equal(TEDEPR_SPEC.options.score.default, 'synflow');
  const quick = benchConfig({ quick: true });
  assert.deepEqual([quick.seeds, quick.shuffle], [1, []]);
});

test('budgets: each architecture its own by default, flags override every one, --quick one short budget', () => {
  const full = benchConfig({});
  assert.deepEqual(archBudget(full, 'mlp'), { epochs: 2, trainLimit: 20000 });
  assert.deepEqual(archBudget(full, 'vgg-small'), { epochs: 1, trainLimit: 10000, testLimit: 2000 });
  assert.deepEqual(archBudget(full, 'my-net'), TEDEPR_BUDGETS.lenet5, 'unknown architectures: the small nets’ budget');
  const flagged = benchConfig({ epochs: '3', testLimit: '500' });
  assert.deepEqual(archBudget(flagged, 'vgg-small'), { epochs: 3, trainLimit: 10000, testLimit: 500 });
  assert.deepEqual(archBudget(flagged, 'mlp'), { epochs: 3, trainLimit: 20000, testLimit: 500 });
  assert.deepEqual(archBudget(benchConfig({ quick: true }), 'resnet-small'), { epochs: 1, trainLimit: 20000 });
  // Every conv net trains on Fashion-MNIST like its baseline (resnet-small once fell through to MNIST).
  assert.deepEqual(['mlp', 'lenet5', 'vgg-small', 'resnet-small', 'alexnet-small'].map(benchDataOf), [
    'mnist',
    'mnist',
    'fashion-mnist',
    'fashion-mnist',
    'fashion-mnist',
  ]);
  const json = resultJson(benchConfig({ archs: 'mlp,resnet-small' }), []);
  assert.deepEqual(Object.keys(json.budgets), ['mlp', 'resnet-small']);
});
