/** How many samples a channels step reads: a caller loads only those (an image folder is decoded up to that count). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHANNELS_SPEC } from '../../src/passes/channels/spec.js';
import { PRO_EVAL_MACS, PRO_SAMPLES_MAX, proSamplesFor, resolveOptions } from '../../src/passes/options.js';

test('channels: L1 with PRO reads only its scoring samples; REAP/NU read the larger of calibration and scoring', () => {
  const used = (o: Record<string, unknown>) => CHANNELS_SPEC.samplesUsed!(resolveOptions(CHANNELS_SPEC, o) as never);
  assert.equal(used({ criterion: 'l1', ratio: 0.3 }), 0);
  assert.equal(used({ criterion: 'l1', budgetMacs: 0.5, proSamples: 32 }), 32);
  assert.equal(used({ criterion: 'l2', budgetParams: 0.5 }), PRO_SAMPLES_MAX);
  assert.equal(used({ criterion: 'reap', budgetMacs: 0.5, proSamples: 32, calib: 500 }), 500);
  assert.equal(used({ criterion: 'nu', ratio: 0.3, calib: 64 }), 64);
  assert.equal(used({ criterion: 'reap', budgetMacs: 0.5, proSamples: 800, calib: 500 }), 800);
});

test('PRO: its default sample count keeps one evaluation within PRO_EVAL_MACS, between 128 and 512 samples', () => {
  assert.equal(proSamplesFor(30e6), 512); // vgg-small: 512 samples are 15 G MACs
  assert.equal(proSamplesFor(4.1e9), 128); // ResNet-50 at 224 px keeps the old 128
  assert.equal(proSamplesFor(PRO_EVAL_MACS / 300), 300);
  assert.equal(proSamplesFor(0), PRO_SAMPLES_MAX);
});
