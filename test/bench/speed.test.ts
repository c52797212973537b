import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSpeedBench } from '../../src/bench/speed.js';
import { speedOptions } from '../../src/bench/speed-flags.js';
import { SPEED_METHODS } from '../../src/bench/speed-variants.js';

test('speed bench flags: --quick defaults, explicit lists, unknown method named', () => {
  const q = speedOptions({ quick: true }, () => {});
  assert.deepEqual(q.models, ['resnet-small']);
  assert.deepEqual(q.batches, [1, 2]);
  assert.deepEqual(q.threads, [1]);
  const f = speedOptions(
    { models: 'resnet18,vit-tiny', batches: '1,32', threadCounts: '1,2', runs: '25', size: '224' },
    () => {},
  );
  assert.deepEqual(f.models, ['resnet18', 'vit-tiny']);
  assert.deepEqual(f.batches, [1, 32]);
  assert.equal(f.runs, 25);
  assert.equal(f.size, 224);
  assert.deepEqual(f.methods, [...SPEED_METHODS]);
  assert.throws(() => speedOptions({ methods: 'l1,magic' }, () => {}), /--methods: unknown method 'magic'/);
  assert.throws(() => speedOptions({ batches: '0' }, () => {}), /--batches/);
});

test('speed bench --quick: one row per method × batch, every output finite and the right shape, rewrites exact', async () => {
  const o = { ...speedOptions({ quick: true }, () => {}), runs: 1, warmup: 0 };
  const r = await runSpeedBench(o, 'reprune bench speed --quick');
  const labels = [...new Set(r.rows.map((x) => x.variant))];
  // resnet-small has residual blocks: SRN and SRN+L1/REAP rows are there, and every method family is present.
  for (const m of SPEED_METHODS)
    assert.ok(
      r.rows.some((x) => x.method === m),
      `no row for ${m}`,
    );
  assert.ok(labels.includes('SRN+REAP −50 % MACs'));
  for (const batch of o.batches) {
    const mine = r.rows.filter((x) => x.batch === batch);
    assert.equal(mine.length, labels.length, `batch ${batch}: ${mine.length} rows for ${labels.length} variants`);
  }
  for (const row of r.rows) {
    assert.equal(row.problem, undefined, `${row.variant} b${row.batch}: ${row.problem}`);
    assert.ok(row.ms! > 0 && row.denseMs! > 0 && Number.isFinite(row.speedup!), `${row.variant}: no timing`);
    if (row.maxRelErr !== undefined) assert.ok(row.maxRelErr <= 1e-5, `${row.variant}: rel err ${row.maxRelErr}`);
  }
  // Channel pruning removed about the MACs asked for, and the table shows it beside the speedup.
  const l1 = r.rows.find((x) => x.variant === 'L1 −50 % MACs')!;
  assert.ok(l1.macReduction! > 1.8 && l1.macReduction! < 2.4, `L1 −50 %: ${l1.macReduction}× fewer MACs`);
  assert.ok(Math.abs(l1.efficiency! - l1.speedup! / l1.macReduction!) < 1e-12);
  for (const v of [
    'fold-bn',
    'SRN',
    'tile 128x1 75 % lowered',
    'unify 4x4 50 %+prune 30 %, FC lowered',
    'TEDEPR TT rank 8',
  ])
    assert.ok(r.rows.find((x) => x.variant === v)?.maxRelErr !== undefined, `${v}: no equality check`);
  assert.equal((r.markdown.match(/\| method \| MAC reduction \|/g) ?? []).length, 2);
  assert.match(r.markdown, /### batch 2, 1 thread/);
  assert.match(r.markdown, /## Summary: efficiency of channel pruning[\s\S]*\| resnet-small \| 2 \| 1 \|/);
  // Single layers: Gemm, 1×1 and 3×3 conv, each lowered always and where faster, equal to the masked layer.
  assert.equal(r.layerRows.length, 3 * o.batches.length * o.sparsities.length * 2);
  for (const row of r.layerRows) {
    assert.ok(row.maxRelErr <= 1e-5, `${row.layer} ${row.form}: rel err ${row.maxRelErr}`);
    assert.ok(row.speedup > 0 && Math.abs(row.efficiency - row.speedup / row.ideal) < 1e-12);
    if (row.form === 'lowered') assert.equal(row.lowered, 1, row.layer);
  }
  assert.match(r.markdown, /## Tile lowering on single layers/);
});
