/**
 * LOP + SP-KD: prune half the channels by L1 norm, then fine-tune with every layer expanded into three linear
 * layers (merged back afterwards) and similarity-preserving distillation from the dense model.
 * Run: node --import tsx examples/lop.ts
 */
import { evaluate, loadDataset, lopFinetune, prune, trainedModel } from 'reprune';

const { graph: dense } = await trainedModel('lenet5', { epochs: 3, limit: 10000 });
const train = loadDataset('mnist', 'train', { limit: 2048 });
const test = loadDataset('mnist', 'test', { limit: 2000 });
const { graph: pruned } = await prune(dense, { method: 'l1', ratio: 0.5 });
console.log(`L1-pruned: accuracy ${(100 * (await evaluate(pruned, test)).accuracy).toFixed(2)} %`);
const r = await lopFinetune(pruned, train, {
  lop: true,
  expand: 2,
  teacher: dense,
  spGamma: 3000,
  epochs: 1,
  batchSize: 64,
  lr: 0.001,
});
console.log(
  `LOP + SP-KD fine-tuned (1 epoch, ${train.count} samples): accuracy ${(100 * (await evaluate(r.graph, test)).accuracy).toFixed(2)} %, expanded ${r.expandReport?.expanded.length} layers, distilled at ${r.spLayers.join(', ')}`,
);
