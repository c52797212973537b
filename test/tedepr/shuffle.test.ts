/**
 * The random-shuffle control (Frankle et al., ICLR 2021): each layer keeps exactly the density its score chose,
 * but not which entries — so a score that beats its control has learned more than per-layer densities.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadDataset } from '../../src/data/sources.js';
import { benchConfig, benchTedepr } from '../../src/bench/tedepr.js';
import { buildModel } from '../../src/models/index.js';
import { countKept, shuffleMasks } from '../../src/passes/pai/index.js';
import { planTedepr } from '../../src/passes/tedepr/pipeline.js';

const ones = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);

describe('random-shuffle control', () => {
  test('shuffleMasks keeps every tensor’s count, moves entries, and leaves its input alone', () => {
    const a = new Uint8Array(1000);
    for (let i = 0; i < 100; i++) a[i] = 1; // a score that chose the first 100 entries
    const b = Uint8Array.from({ length: 50 }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const before = { a: Uint8Array.from(a), b: Uint8Array.from(b) };
    const s = shuffleMasks({ a, b }, 7);
    assert.deepEqual([ones(s.a!), ones(s.b!)], [100, 10]);
    assert.deepEqual({ a, b }, before, 'input masks mutated');
    assert.ok(
      s.a!.subarray(100).some((v) => v === 1),
      'no entry moved',
    );
    assert.deepEqual(shuffleMasks({ a, b }, 7), s, 'not deterministic in the seed');
  });

  test('TEDEPR --shuffle: the same kept count per layer as the score, different entries', async () => {
    const train = loadDataset('mnist', 'train', { limit: 256 });
    const o = { sparsity: 0.98, score: 'magnitude' as const, epochs: 1, seed: 3 };
    const plain = await planTedepr(buildModel('mlp'), train, o);
    const control = await planTedepr(buildModel('mlp'), train, { ...o, shuffle: true });
    assert.ok(plain.masks && control.masks);
    assert.equal(countKept(control.masks), countKept(plain.masks));
    for (const [name, m] of Object.entries(plain.masks)) {
      assert.equal(ones(control.masks[name]!), ones(m), `${name}: density changed`);
    }
    const same = Object.entries(plain.masks).every(([n, m]) => m.every((v, i) => v === control.masks![n]![i]));
    assert.ok(!same, 'the shuffled masks equal the scored ones');
  });

  test('bench tedepr --shuffle: one control row per score and mode, and the comparison table', async () => {
    const cfg = benchConfig({
      archs: 'mlp',
      sparsities: '98',
      scores: 'magnitude',
      epochs: '1',
      trainLimit: '256',
      testLimit: '100',
      seeds: '1',
      shuffle: true,
    });
    const { rows, markdown } = await benchTedepr(cfg, () => {});
    assert.equal(rows.length, 4); // (score, control) × (dense, tt)
    assert.deepEqual(rows.map((r) => `${r.mode}:${r.shuffled}`).sort(), [
      'dense:false',
      'dense:true',
      'tt:false',
      'tt:true',
    ]);
    const table = markdown.split('Each score vs its random-shuffle control')[1] ?? '';
    assert.equal(table.split('\n').filter((l) => l.startsWith('| mlp |')).length, 2);
    assert.match(markdown, /\| magnitude\+shuffle \(r=/);
  });
});
