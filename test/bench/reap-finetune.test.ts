import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchFinetuneOptions, FINETUNE_CLIP } from '../../src/bench/reap-accuracy.js';
import { FINETUNE_RECIPE } from '../../src/train/recipes.js';

// SRN's BN-free ResNet diverged to NaN at the fine-tuning lr without a clip (docs/bench/reap.notes.md).
test('the REAP bench fine-tunes with the fine-tuning recipe, gradients clipped at norm 1, seed fixed', () => {
  const o = benchFinetuneOptions(2);
  assert.equal(FINETUNE_CLIP, 1);
  assert.deepEqual(
    { epochs: o.epochs, lr: o.lr, batch: o.batchSize, clip: o.clipGradNorm, seed: o.seed, progress: o.progress },
    { epochs: 2, lr: FINETUNE_RECIPE.lr, batch: FINETUNE_RECIPE.batch, clip: 1, seed: 0, progress: false },
  );
});
