import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { take } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/sources.js';
import { buildModel } from '../../src/models/index.js';
import { transformerMacs, transformerRows, transformerTable } from '../../src/bench/transformer.js';

describe('bench transformer (smoke)', () => {
  test('an untrained vit-small gives the table: dense, L1/NU/REAP/REAP+PRO at 30/50 % neurons, L1/REAP at 25 % heads, 25 % of the hidden size, fine-tuned (one with LOP + SP-KD)', async () => {
    const g = buildModel('vit-small', { seed: 1 });
    assert.equal(transformerMacs(g), 6_473_344 + 4 * 2 * 49 * 49 * 64);
    const train = take(loadDataset('mnist', 'train', { limit: 16 }), 16);
    const testSet = take(loadDataset('mnist', 'test', { limit: 40 }), 40);
    const rows = await transformerRows(g, train, testSet, 16, () => {}, { epochs: 1, data: train });
    assert.deepEqual(
      rows.map((r) => `${r.unit}@${r.ratio}:${r.method}`),
      [
        'dense@0:dense',
        'MLP neurons@0.3:L1',
        'MLP neurons@0.3:NU',
        'MLP neurons@0.3:REAP',
        'MLP neurons@0.3:REAP+PRO',
        'MLP neurons@0.5:L1',
        'MLP neurons@0.5:L1, fine-tuned with LOP + SP-KD',
        'MLP neurons@0.5:NU',
        'MLP neurons@0.5:REAP',
        'MLP neurons@0.5:REAP+PRO',
        'heads@0.25:L1',
        'heads@0.25:REAP',
        'hidden size@0.25:L1',
        '2:4 block MatMuls@0.5:magnitude',
        '2:4 block MatMuls@0.5:TileTrans search, MLP neurons only + magnitude',
        '2:4 block MatMuls@0.5:TileTrans search + magnitude',
      ],
    );
    for (const r of rows.slice(1, 13)) assert.ok(r.macs < rows[0]!.macs, `${r.unit} ${r.method} has fewer MACs`);
    // PRO's budget is the weight MACs of uniform REAP: never more MACs than it.
    assert.ok(rows[4]!.macs <= rows[3]!.macs && rows[9]!.macs <= rows[8]!.macs);
    // LOP merges back: the same architecture (and MACs) as the L1 model it fine-tuned.
    assert.equal(rows[6]!.macs, rows[5]!.macs);
    for (const r of rows) assert.ok(r.finetuned! >= 0 && r.finetuned! <= 1, `${r.method} fine-tuned accuracy`);
    // Neuron rows: 4 blocks × 49 tokens × 2·64 MACs per removed neuron (38 or 64 of 128 removed per block).
    assert.equal(rows[0]!.macs - rows[1]!.macs, 4 * 49 * 128 * 38);
    assert.equal(rows[1]!.macs, rows[2]!.macs);
    assert.equal(rows[2]!.macs, rows[3]!.macs);
    // Hidden row: 16 of 64 stream channels, read by the patch conv's 16 taps per token, q/k/v/fc1 (320 columns) and
    // proj/fc2 (192 rows) of 4 blocks per token, and the 10-class head.
    assert.equal(rows[0]!.macs - rows[12]!.macs, 16 * (49 * 16 + 4 * 49 * (320 + 192) + 10));
    const md = transformerTable(rows, 'reprune bench transformer --quick');
    const tableLines = md.split('\n').filter((l) => l.startsWith('|'));
    assert.equal(tableLines.length, 2 + 16);
    assert.ok(rows[14]!.efficacy! > 0 && rows[15]!.efficacy! >= rows[14]!.efficacy! && rows[15]!.efficacy! < 1);
    assert.match(md, /efficacy .*: \d+\.\d %/s);
    assert.ok(tableLines.every((l) => l.split('|').length === 9)); // 7 columns, the fine-tuned one included
  });
});
