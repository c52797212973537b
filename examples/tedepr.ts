/**
 * TEDEPR: a model's layers as tensor-train layers, 99 % of the dense weight count pruned at initialization by SynFlow,
 * trained from scratch with the mask fixed. Run: node --import tsx examples/tedepr.ts
 */
import { buildModel, loadDataset, tedepr } from 'reprune';

const train = loadDataset('mnist', 'train', { limit: 6000 });
const test = loadDataset('mnist', 'test', { limit: 2000 });
// Any model works (its weights are re-initialised: TEDEPR trains from scratch); here, the zoo's mlp.
const r = await tedepr(buildModel('mlp'), train, test, {
  sparsity: 0.99,
  score: 'synflow',
  ttRank: 'auto',
  ttForm: 'reconstruct',
  epochs: 1,
});
console.log(
  `TEDEPR mlp: accuracy ${(100 * r.accuracy).toFixed(2)} %, ${r.prunableNonzeros} nonzero weights (dense mlp ${r.densePrunable}), TT rank ${r.ttRank}`,
);
