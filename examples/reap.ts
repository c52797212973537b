/**
 * Structured channel pruning to half the MACs, per-layer ratios chosen by PRO: L1 filter norms vs REAP
 * (removed channels reconstructed from the kept ones and folded into the next layer), no retraining.
 * Run: node --import tsx examples/reap.ts
 */
import { evaluate, loadDataset, modelMetrics, prune, trainedModel } from 'reprune';

const { graph: dense } = await trainedModel('lenet5', { epochs: 3, limit: 10000 });
const calib = loadDataset('mnist', 'train', { limit: 1000 });
const test = loadDataset('mnist', 'test', { limit: 2000 });
const macs = (g: typeof dense) => modelMetrics(g).totals.macs;
for (const method of ['l1', 'reap'] as const) {
  const { graph, summary } = await prune(dense, { method, budgetMacs: 0.5, data: calib });
  const acc = (await evaluate(graph, test)).accuracy;
  console.log(
    `${method} + PRO: accuracy ${(100 * acc).toFixed(2)} %, MACs ${macs(graph)} of ${macs(dense)}, channels ${JSON.stringify(summary.channels)}`,
  );
}
