/**
 * The trainer's stop flag (what SIGINT sets), in-process: a stop mid-epoch or at an epoch boundary saves a
 * checkpoint and throws `Interrupted`; resuming replays the batch stream (order AND augmentation) and ends
 * bit-identical to an uninterrupted run, BatchNorm statistics and epoch history included.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { loadDataset } from '../../src/data/sources.js';
import { tensorsEqual } from '../../src/ir/tensor.js';
import { NetBuilder } from '../../src/models/net-builder.js';
import { loadOnnx } from '../../src/onnx/decode.js';
import { saveOnnx } from '../../src/onnx/save.js';
import { loadCheckpoint, STATE_KEY } from '../../src/train/checkpoint.js';
import { trainModel, type TrainOptions } from '../../src/train/trainer.js';
import { Interrupted, requestStop, stopRequested } from '../../src/util/signals.js';
import { scratch } from './helpers.js';

function tinyBnNet() {
  const b = new NetBuilder('tiny-bn', 3, ['N', 1, 28, 28]);
  let x = b.conv('input', 'conv1', { cin: 1, cout: 4, k: 3, pad: 1, bias: false });
  x = b.maxPool(b.relu(b.bn(x, 'bn1', 4)));
  return b.finish(b.linear(b.flatten(x), 'fc', 4 * 14 * 14, 10, 'logits'), 10);
}

const ds = loadDataset('mnist', 'train', { limit: 256 }); // 8 steps of 32 per epoch
const base: TrainOptions = {
  epochs: 3,
  batchSize: 32,
  lr: 0.05,
  seed: 4,
  schedule: 'cosine',
  augment: { cropPad: 2, flip: true },
  optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 },
};

describe('stop request → checkpoint → resume', () => {
  const full = trainModel(tinyBnNet(), ds, base);

  for (const stopAt of [11, 15]) {
    const where = stopAt === 15 ? 'at an epoch boundary' : 'mid-epoch';
    test(`stop ${where} (after global step ${stopAt + 1}) resumes bit-identically`, async () => {
      const ck = path.join(scratch(), 'ck.onnx');
      const hooks = {
        afterStep: ({ step }: { step: number }) => {
          if (step === stopAt) requestStop();
        },
      };
      await assert.rejects(trainModel(tinyBnNet(), ds, { ...base, checkpoint: { path: ck }, hooks }), (e: unknown) => {
        assert.ok(e instanceof Interrupted, String(e));
        assert.equal(e.exitCode, 130);
        assert.ok(e.message.includes(`--resume ${ck}`), e.message);
        return true;
      });
      const state = loadCheckpoint(ck).state;
      if (stopAt === 15) {
        assert.equal(state.epochsDone, 2);
        assert.equal(state.partial, undefined);
      } else {
        assert.equal(state.epochsDone, 1);
        assert.equal(state.partial?.steps, 4);
      }
      const resumed = await trainModel(tinyBnNet(), ds, { ...base, resume: ck });
      const ref = await full;
      assert.deepEqual(
        resumed.history.map((h) => [h.loss, h.trainAcc, h.lr]),
        ref.history.map((h) => [h.loss, h.trainAcc, h.lr]),
      );
      for (const [name, t] of ref.graph.initializers)
        assert.ok(tensorsEqual(t, resumed.graph.initializers.get(name)!), `${name} differs`);
    });
  }

  test('without --checkpoint a stop request does not interrupt training', async () => {
    requestStop();
    const r = await trainModel(tinyBnNet(), ds, { ...base, epochs: 1 });
    assert.equal(r.history.length, 1);
    assert.ok(stopRequested(), 'flag untouched: nobody took over SIGINT');
  });

  test('weights broken by the last update of an epoch are never checkpointed', async () => {
    const ck = path.join(scratch(), 'ck.onnx');
    // 8 steps per epoch: the final update of epoch 2 (global step 15) overflows after its loss was computed.
    const schedule = (s: number) => (s === 15 ? Infinity : 0.05);
    await assert.rejects(
      trainModel(tinyBnNet(), ds, { ...base, schedule, checkpoint: { path: ck } }),
      /training diverged: parameter '.+' is not finite after epoch 2; .*the last good checkpoint is .*ck\.onnx/,
    );
    assert.equal(loadCheckpoint(ck).state.epochsDone, 1);
  });

  test('a checkpoint is one file: the training state travels inside the model, no side file', async () => {
    const dir = scratch();
    const ck = path.join(dir, 'ck.onnx');
    const hooks = {
      afterStep: ({ step }: { step: number }) => {
        if (step === 2) requestStop();
      },
    };
    await assert.rejects(trainModel(tinyBnNet(), ds, { ...base, checkpoint: { path: ck }, hooks }), Interrupted);
    assert.deepEqual(fs.readdirSync(dir), ['ck.onnx']);
    const g = loadOnnx(ck);
    const state = JSON.parse(g.metadata[STATE_KEY]!);
    assert.equal(state.epochsDone, 0);
    assert.equal(state.partial.steps, 3);
    // Loading strips the state, so a model saved from a resumed run carries none of it.
    assert.equal(loadCheckpoint(ck).model.metadata[STATE_KEY], undefined);
  });

  test('an older checkpoint (.onnx + .train.json) still resumes; a mismatched pair is refused', async () => {
    const dir = scratch();
    const ck = path.join(dir, 'ck.onnx');
    const hooks = {
      afterStep: ({ step }: { step: number }) => {
        if (step === 2) requestStop();
      },
    };
    await assert.rejects(trainModel(tinyBnNet(), ds, { ...base, checkpoint: { path: ck }, hooks }), Interrupted);
    // Rewrite it the way earlier versions stored it: the state in a side file, the position tag in the model.
    const g = loadOnnx(ck);
    const side = JSON.parse(g.metadata[STATE_KEY]!);
    delete g.metadata[STATE_KEY];
    g.metadata['reprune.train.epoch'] = '0+3';
    saveOnnx(g, ck);
    fs.writeFileSync(`${ck}.train.json`, JSON.stringify(side));
    const full = await trainModel(tinyBnNet(), ds, base);
    const resumed = await trainModel(tinyBnNet(), ds, { ...base, resume: ck });
    for (const [name, t] of full.graph.initializers)
      assert.ok(tensorsEqual(t, resumed.graph.initializers.get(name)!), name);
    side.partial.steps = 1; // as if the process died between writing the two files of a later save
    fs.writeFileSync(`${ck}.train.json`, JSON.stringify(side));
    await assert.rejects(trainModel(tinyBnNet(), ds, { ...base, resume: ck }), /interrupted while saving/);
  });
});
