/**
 * Micro-structured weight unification and pruning: in 1×4 blocks, half share one magnitude (keeping signs) and
 * 30 % are zero; projected once and retrained for 2 epochs with the structure fixed (`mode: 'admm'` spends the
 * first of them on ADMM instead). Run: node --import tsx examples/unify.ts
 */
import { evaluate, loadDataset, trainedModel, unifyModel } from 'reprune';

const { graph: dense } = await trainedModel('lenet5', { epochs: 3, limit: 10000 });
const train = loadDataset('mnist', 'train', { limit: 2048 });
const test = loadDataset('mnist', 'test', { limit: 2000 });
const r = await unifyModel(dense, train, {
  block: { bh: 1, bw: 4 },
  unify: 0.5,
  prune: 0.3,
  scope: 'layer',
  admmRounds: 1,
  epochsPerRound: 1,
  retrainEpochs: 1,
  lr: 0.01,
});
const a = r.accounting;
console.log(
  `unified ${a.unifiedBlocks} + pruned ${a.prunedBlocks} of ${a.blocks} blocks: accuracy ${(100 * (await evaluate(r.graph, test)).accuracy).toFixed(2)} %, ` +
    `bits ${((100 * a.bits) / a.denseBits).toFixed(1)} % and multiplies ${((100 * a.multiplies) / a.denseMultiplies).toFixed(1)} % of dense`,
);
