/**
 * The models users bring, through the real CLI: an op reprune has no rule for in the middle of a model (a
 * com.microsoft custom-domain op and an ONNX op without a shape rule), symbolic H/W, and an export whose
 * initializers PyTorch deduplicated. info, eval, TileTrans and L1 pruning work around unknown ops; REAP calibration
 * and fine-tuning bind H/W from the data; `--input-shape` MACs equal a hand count; a deduplicated export prunes at
 * the requested ratio; a prune that removes nothing says why, and a budget that cannot be met is an error.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { channelGroups } from '../../src/analysis/coupling.js';
import type { Graph } from '../../src/ir/graph.js';
import { loadOnnx } from '../../src/onnx/decode.js';
import { buildModel } from '../../src/models/index.js';
import { maxAbs, maxDiff, runOn } from '../analysis/helpers.js';
import { dedupNet, dynamicNet, npyDataset, opaqueNet } from './any-model.js';
import { isCleanError, runCli, tmpDir } from './helpers.js';
import { writeModel } from './models.js';

const dir = tmpDir('reprune-any-');
const data8 = npyDataset(path.join(dir, 'data8'), [3, 8, 8]);

async function assertSameFunction(a: Graph, b: Graph, what: string): Promise<void> {
  const [fa, fb] = [await runOn(a), await runOn(b)];
  assert.ok(maxDiff(fa, fb) <= 1e-4 * maxAbs(fa), `${what}: max|f−g| = ${maxDiff(fa, fb)}`);
}

function outChannels(g: Graph, conv: string): number {
  const n = g.nodes.find((x) => x.name === conv)!;
  return g.initializers.get(n.inputs[1]!)!.dims[0]!;
}

describe('an unknown custom-domain op and an ONNX op without a shape rule in the middle of a model', () => {
  const file = writeModel(dir, 'opaque.onnx', opaqueNet());

  test('info: shapes from ONNX Runtime, complete MACs, and what each unknown op blocks', async () => {
    const r = await runCli(['info', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(
      j.opaque.map((o: { node: string; op: string; shapes: string }) => [o.node, o.op, o.shapes]),
      [
        ['gelu', 'com.microsoft.Gelu', 'onnx-runtime'],
        ['compress', 'Compress', 'onnx-runtime'],
      ],
    );
    assert.deepEqual(j.opaque[0].blocked, ['conv1 (8 channels)']);
    assert.deepEqual(j.opaque[1].blocked, ['conv2 (8 channels)']);
    assert.equal(j.totals.macsComplete, true);
    // conv3 runs on Compress's [2, 8, 8] output: 8·8 positions × 6·2·9 weights.
    assert.equal(j.layers.find((l: { name: string }) => l.name === 'conv3').macs, 8 * 8 * 6 * 2 * 9);
    const text = await runCli(['info', file]);
    assert.match(text.stdout, /compress \(Compress\): shapes from ONNX Runtime; keeps fixed: conv2 \(8 channels\)/);
  });

  test('eval runs it', async () => {
    const r = await runCli(['eval', file, '--data', data8, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).samples, 16);
  });

  test('TileTrans permutes around it and keeps the function', async () => {
    const out = path.join(dir, 'opaque-tt.onnx');
    const r = await runCli(['reparam', file, '-o', out, '--transform', 'tiletrans', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.permuted, 1, 'conv3 is the one group on neither side of an unknown op');
    assert.ok(s.fixed.some((f: { reason: string }) => /com\.microsoft\.Gelu node 'gelu'/.test(f.reason)));
    const g = loadOnnx(out);
    assert.deepEqual(g.extraOpsets, [{ domain: 'com.microsoft', version: 1 }]);
    await assertSameFunction(loadOnnx(file), g, 'tiletrans');
  });

  test('L1 pruning cuts only what no unknown op touches, and the result runs', async () => {
    const out = path.join(dir, 'opaque-l1.onnx');
    const r = await runCli(['prune', file, '-o', out, '--method', 'l1', '--ratio', '0.5', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const g = loadOnnx(out);
    assert.deepEqual(
      ['conv1', 'conv2', 'conv3'].map((c) => outChannels(g, c)),
      [8, 8, 3],
    );
    assert.ok((await runOn(g)).every(Number.isFinite));
  });
});

describe('symbolic H and W', () => {
  const file = writeModel(dir, 'dynamic.onnx', dynamicNet());
  // At 8×8: conv1 8·8 positions × 8·3·9, conv2 (stride 2) 4·4 × 8·8·9, fc 5·8.
  const hand = [64 * 8 * 3 * 9, 16 * 8 * 8 * 9, 5 * 8];

  test('info says MACs need --input-shape, and with it counts them by hand', async () => {
    const plain = await runCli(['info', file, '--json']);
    assert.equal(plain.code, 0, plain.stderr);
    const p = JSON.parse(plain.stdout).totals;
    assert.equal(p.macsComplete, false);
    assert.match(p.macsMissing, /symbolic input dims H, W: give --input-shape/);
    const r = await runCli(['info', file, '--input-shape', '1,3,8,8', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(
      j.layers.map((l: { macs: number }) => l.macs),
      hand,
    );
    assert.equal(j.totals.macs, hand[0]! + hand[1]! + hand[2]!);
    assert.equal(j.totals.macsComplete, true);
  });

  test('--input-shape that does not fit the input is a clean error', async () => {
    const r = await runCli(['info', file, '--input-shape', '1,3,8']);
    assert.ok(isCleanError(r), r.stderr);
    assert.match(r.stderr, /input 'x' has rank 4/);
  });

  test('REAP calibrates on data of a fixed size; the pruned model stays dynamic', async () => {
    const out = path.join(dir, 'dynamic-reap.onnx');
    const r = await runCli(['prune', file, '-o', out, '--method', 'reap', '--ratio', '0.5', '--data', data8, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.macsComplete, true, 'MACs counted at the data size');
    assert.ok(s.macsAfter < s.macsBefore);
    const g = loadOnnx(out);
    assert.deepEqual(g.inputs[0]!.shape, ['N', 3, 'H', 'W']);
    assert.equal(outChannels(g, 'conv1'), 4);
  });

  test('a plan saved with H/W bound from the data replays without the data, to the same bytes', async () => {
    const [out, again, plan] = ['dyn-l1.onnx', 'dyn-l1-again.onnx', 'dyn-plan.json'].map((f) => path.join(dir, f));
    const first = ['prune', file, '-o', out, '--method', 'reap', '--ratio', '0.5', '--data', data8];
    const r = await runCli([...first, '--save-plan', plan, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const replay = await runCli(['prune', file, '-o', again, '--plan', plan, '--json']);
    assert.equal(replay.code, 0, replay.stderr);
    assert.ok(fs.readFileSync(out).equals(fs.readFileSync(again)));
  });

  test('a fine-tuning epoch runs on data of a fixed size', async () => {
    const out = path.join(dir, 'dynamic-ft.onnx');
    const r = await runCli(['finetune', file, '-o', out, '--data', data8, '--epochs', '1', '--batch', '8', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).epochs, 1);
    const g = loadOnnx(out);
    assert.deepEqual(g.inputs[0]!.shape, ['N', 3, 'H', 'W']);
    const before = loadOnnx(file).initializers.get('conv1.weight')!.data;
    assert.notDeepEqual(g.initializers.get('conv1.weight')!.data, before, 'weights trained');
  });
});

describe('a deduplicated export (one tensor of ones / zeros read by every BatchNorm and conv bias)', () => {
  const file = writeModel(dir, 'dedup.onnx', dedupNet());

  test('L1 pruning removes the requested half of every group', async () => {
    const out = path.join(dir, 'dedup-l1.onnx');
    const r = await runCli(['prune', file, '-o', out, '--method', 'l1', '--ratio', '0.5', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.deepEqual(s.channels, { 'conv1+conv3': [8, 4], conv2: [8, 4] });
    assert.deepEqual(s.warnings, []);
    const g = loadOnnx(out);
    assert.ok((await runOn(g)).every(Number.isFinite));
  });

  test('TileTrans permutes its groups and keeps the function; the input model is untouched', async () => {
    const out = path.join(dir, 'dedup-tt.onnx');
    const r = await runCli(['reparam', file, '-o', out, '--transform', 'tiletrans', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).permuted, 2);
    const g = loadOnnx(file);
    assert.ok(
      channelGroups(g).every((gr) => gr.fixed),
      'shared, the groups are fixed',
    );
    await assertSameFunction(g, loadOnnx(out), 'tiletrans on a deduplicated export');
  });

  test('SRN widens the block without touching the other convs that shared its bias', async () => {
    const folded = writeModel(dir, 'dedup-folded.onnx', dedupNet({ bn: false }));
    const out = path.join(dir, 'dedup-srn.onnx');
    const r = await runCli(['reparam', folded, '-o', out, '--transform', 'srn', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).serialized, ['residual']);
    await assertSameFunction(loadOnnx(folded), loadOnnx(out), 'srn on a deduplicated export');
  });
});

describe('a prune that cannot do what was asked', () => {
  // Every conv of opaqueNet but the last touches an unknown op; with conv3 skipped nothing is left.
  const file = writeModel(dir, 'blocked.onnx', opaqueNet());

  test('removing nothing exits 0 with a warning that says why', async () => {
    const out = path.join(dir, 'blocked-l1.onnx');
    const args = ['prune', file, '-o', out, '--method', 'l1', '--ratio', '0.5', '--skip', 'conv3', '--json'];
    const r = await runCli(args);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.warnings.length, 1);
    assert.match(s.warnings[0], /^removed nothing: 4 of 4 channel groups cannot be cut: .*com\.microsoft\.Gelu/);
    assert.match(r.stderr, /^warning: removed nothing/m);
  });

  test('a MAC budget that cannot be met exits 2 and writes nothing', async () => {
    const out = path.join(dir, 'blocked-pro.onnx');
    const args = [
      'prune',
      file,
      '-o',
      out,
      '--method',
      'l1',
      '--pro',
      '--budget-macs',
      '0.2',
      '--data',
      data8,
      '--json',
    ];
    const r = await runCli(args);
    assert.ok(isCleanError(r), r.stderr);
    assert.equal(fs.existsSync(out), false);
    assert.match(r.stderr, /--budget-macs 0\.2: cannot be met; .* 3 of 4 channel groups cannot be cut/);
  });
});

describe('a ViT-shaped model (the zoo vit-small)', () => {
  const file = writeModel(dir, 'vit.onnx', buildModel('vit-small', { seed: 1 }));

  test('L1 keeps the hidden size and says how to cut it; --prune-hidden cuts it too', async () => {
    const l1 = (out: string, ...extra: string[]) =>
      runCli(['prune', file, '-o', out, '--method', 'l1', '--ratio', '0.25', '--json', ...extra]);
    const plain = await l1(path.join(dir, 'vit-l1.onnx'));
    assert.equal(plain.code, 0, plain.stderr);
    const a = JSON.parse(plain.stdout);
    assert.match(a.warnings.join(' '), /hidden size: normalized by 'blocks\.0\.norm1' and 8 more.*--prune-hidden/);
    assert.match(a.warnings.join(' '), /attention head columns of block 'blocks\.0\.attn\.proj\.matmul'/);
    const out = path.join(dir, 'vit-l1h.onnx');
    const hidden = await l1(out, '--prune-hidden');
    assert.equal(hidden.code, 0, hidden.stderr);
    const b = JSON.parse(hidden.stdout);
    assert.ok(b.macsAfter < a.macsAfter, `${b.macsAfter} < ${a.macsAfter}`);
    const g = await loadOnnx(out);
    assert.deepEqual(g.initializers.get('pos_embed')!.dims, [1, 49, 48]);
    assert.deepEqual(g.initializers.get('blocks.0.mlp.fc1.weight')!.dims, [48, 96]);
  });

  test('--heads removes heads first (REAP on the data), then the channels; nu has no head criterion', async () => {
    const out = path.join(dir, 'vit-heads.onnx');
    const common = ['--data', 'mnist', '--calib', '64', '--json'];
    const run = (out: string, method: string, ...extra: string[]) =>
      runCli(['prune', file, '-o', out, '--method', method, '--heads', '0.25', ...common, ...extra]);
    const r = await run(out, 'reap', '--ratio', '0.3');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.deepEqual(Object.values(s.heads), [
      [4, 3],
      [4, 3],
      [4, 3],
      [4, 3],
    ]);
    const g = await loadOnnx(out);
    assert.deepEqual(g.initializers.get('blocks.2.attn.q.weight')!.dims, [64, 48]);
    assert.deepEqual(g.initializers.get('blocks.2.mlp.fc1.weight')!.dims, [64, 90]);
    const nu = await run(path.join(dir, 'vit-nu.onnx'), 'nu');
    assert.ok(isCleanError(nu), nu.stderr);
    assert.match(nu.stderr, /--method nu has no head criterion; use --method l1 or reap with --heads/);
  });

  test('a MAC budget the MLP neurons alone cannot meet names --prune-hidden as a way out', async () => {
    const out = path.join(dir, 'vit-pro.onnx');
    const args = ['--pro', '--budget-macs', '0.3', '--data', 'mnist', '--pro-samples', '8', '--calib', '8', '--json'];
    const r = await runCli(['prune', file, '-o', out, '--method', 'l1', ...args]);
    assert.ok(isCleanError(r), r.stderr);
    assert.match(r.stderr, /--budget-macs 0\.3: cannot be met; .*Raise the budget or add --prune-hidden/);
    assert.equal(fs.existsSync(out), false);
  });
});
