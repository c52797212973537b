/**
 * Tile pruning with and without TileTrans: permute channels first (same function), then zero 70 % of the
 * weights in 32×32 tiles, no retraining. Run: node --import tsx examples/tiletrans.ts
 */
import { evaluate, loadDataset, modelMetrics, prune, reparam, trainedModel } from 'reprune';

const { graph: dense } = await trainedModel('lenet5', { epochs: 3, limit: 10000 }); // trains once (~15 s), then cached
const test = loadDataset('mnist', 'test', { limit: 2000 });
console.log(`dense: accuracy ${(100 * (await evaluate(dense, test)).accuracy).toFixed(2)} %`);

const permuted = (await reparam(dense, { transform: 'tiletrans' })).graph;
for (const [name, model] of [
  ['plain', dense],
  ['TileTrans', permuted],
] as const) {
  const { graph, summary } = await prune(model, { method: 'tile', sparsity: 0.7, tile: '32x32' });
  const acc = (await evaluate(graph, test)).accuracy;
  const sparsity = modelMetrics(graph).totals.sparsity;
  console.log(
    `${name}: accuracy ${(100 * acc).toFixed(2)} %, sparsity ${(100 * sparsity).toFixed(1)} %, importance kept ${(100 * summary.importanceKept).toFixed(1)} %`,
  );
}
