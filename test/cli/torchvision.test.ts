/**
 * Real torchvision exports (Debian's /usr/bin/python3 with torch; skipped with a message where it is absent), at
 * 32×32 with 10 classes and untrained weights — so PyTorch's exporter deduplicates BatchNorm tensors:
 * - with BatchNorm kept, `info` counts exactly PyTorch's `sum(p.numel() for p in model.parameters())`;
 * - `tedepr` trains a re-initialised TT version of the export on a .npy set and writes a model with the same
 *   inputs and outputs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadOnnx } from '../../src/onnx/decode.js';
import { TT_METADATA_KEY } from '../../src/passes/tt/convert.js';
import { npyDataset } from './any-model.js';
import { runCli, tmpDir } from './helpers.js';

function pythonWithTorchvision(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

const EXPORT = `
import sys, torch, torchvision.models as M
torch.manual_seed(0)
out, names, keep_bn = sys.argv[1], sys.argv[2].split(','), sys.argv[3] == '1'
mode = torch.onnx.TrainingMode.PRESERVE if keep_bn else torch.onnx.TrainingMode.EVAL
for name in names:
    kw = {'width_mult': 0.25} if name == 'mobilenet_v2' else {}
    m = getattr(M, name)(num_classes=10, **kw).eval()
    torch.onnx.export(m, torch.zeros(1, 3, 32, 32), f'{out}/{name}.onnx', opset_version=13, training=mode,
                      input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
    print(name, sum(p.numel() for p in m.parameters()))
`;

const py = pythonWithTorchvision();

function exportModels(dir: string, names: string[], keepBn: boolean): Map<string, number> {
  const r = spawnSync(py!, ['-c', EXPORT, dir, names.join(','), keepBn ? '1' : '0'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return new Map(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([n, p]) => [n!, Number(p)]),
  );
}

describe('torchvision exports', { skip: py ? false : 'python3 with torch and torchvision is not installed' }, () => {
  const dir = tmpDir('reprune-tv-');

  test('info counts the parameters PyTorch counts (BatchNorm kept, initializers deduplicated)', {
    timeout: 300_000,
  }, async () => {
    const names = ['mobilenet_v3_small', 'squeezenet1_0', 'shufflenet_v2_x0_5'];
    const torchParams = exportModels(dir, names, true);
    for (const name of names) {
      const r = await runCli(['info', path.join(dir, `${name}.onnx`), '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).totals.params, torchParams.get(name), name);
    }
  });

  test('tedepr trains a re-initialised TT version of the export with the same inputs and outputs', {
    timeout: 300_000,
  }, async () => {
    const sub = path.join(dir, 'tedepr');
    fs.mkdirSync(sub, { recursive: true });
    exportModels(sub, ['mobilenet_v2'], false);
    const data = npyDataset(path.join(sub, 'data'), [3, 32, 32], { train: 16, test: 8, classes: 10 });
    const file = path.join(sub, 'mobilenet_v2.onnx');
    const out = path.join(sub, 'mobilenet_v2-tedepr.onnx');
    const args = ['tedepr', file, '--data', data, '--sparsity', '0.99', '--epochs', '1', '--batch', '8', '-o', out];
    const r = await runCli([...args, '--json'], { timeoutMs: 280_000 });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.ok(s.layers.length > 0, 'some layers became TT layers');
    assert.ok(Math.abs(s.sparsity - 0.99) < 1e-3, `sparsity ${s.sparsity}`);
    assert.ok(Number.isFinite(s.accuracy));
    const [a, b] = [loadOnnx(file), loadOnnx(out)];
    assert.deepEqual(
      b.inputs.map((v) => [v.name, v.shape]),
      a.inputs.map((v) => [v.name, v.shape]),
    );
    assert.deepEqual(
      b.outputs.map((v) => v.name),
      a.outputs.map((v) => v.name),
    );
    assert.ok(JSON.parse(b.metadata[TT_METADATA_KEY]!).length === s.layers.length);
    const ev = await runCli(['eval', out, '--data', data, '--json']);
    assert.equal(ev.code, 0, ev.stderr);
  });
});
