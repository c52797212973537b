/**
 * ONNX files exported by PyTorch itself (Debian's /usr/bin/python3 has torch 1.13): a small MNIST CNN with
 * BatchNorm and `x.view(x.size(0), -1)` — the Shape→Gather→Unsqueeze→Concat→Reshape chain — exported at
 * opsets 11 and 17 without PyTorch's constant folding and 13 with it. `info` must count PyTorch's parameters
 * and `eval` must run. Skipped with a message where torch is not installed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { runCli, tmpDir } from './helpers.js';

function pythonWithTorch(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

const EXPORT = `
import sys, torch, torch.nn as nn
torch.manual_seed(0)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 8, 3, stride=2)
        self.fc = nn.Linear(8 * 13 * 13, 10)
    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.conv2(x))
        return self.fc(x.view(x.size(0), -1))
m = Net().eval()
out = sys.argv[1]
for opset, fold in ((11, 0), (13, 1), (17, 0)):
        torch.onnx.export(m, torch.zeros(2, 1, 28, 28), f'{out}/net-{opset}-{fold}.onnx', opset_version=opset,
                          input_names=['input'], output_names=['logits'], do_constant_folding=bool(fold),
                          dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
print(sum(p.numel() for p in m.parameters()))
`;

const py = pythonWithTorch();

describe('models exported by PyTorch', { skip: py ? false : 'python3 with torch is not installed' }, () => {
  const dir = tmpDir('reprune-torch-');
  let params = 0;

  test('info counts PyTorch parameters and eval runs, at opsets 11 and 17 (unfolded) and 13 (folded)', {
    timeout: 180_000,
  }, async () => {
    const r = spawnSync(py!, ['-c', EXPORT, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    params = Number(r.stdout.trim().split('\n').pop());
    assert.ok(params > 0);
    const files = ['net-11-0', 'net-13-1', 'net-17-0'].map((f) => path.join(dir, `${f}.onnx`));
    for (const f of files) {
      const [info, ev] = await Promise.all([
        runCli(['info', f, '--json']),
        runCli(['eval', f, '--data', 'mnist', '--limit', '64', '--json']),
      ]);
      assert.equal(info.code, 0, `${f}: ${info.stderr}`);
      const j = JSON.parse(info.stdout);
      // BatchNorm may be folded into conv1 by the exporter; either way conv/fc weights are all there.
      assert.ok(
        j.totals.params === params || j.totals.params === params - 8,
        `${f}: ${j.totals.params} params vs PyTorch ${params}`,
      );
      assert.deepEqual(
        j.layers.map((l: { op: string }) => l.op),
        ['Conv', 'Conv', 'Gemm'],
      );
      assert.equal(j.layers[2].macs, 8 * 13 * 13 * 10);
      assert.equal(ev.code, 0, `${f}: ${ev.stderr}`);
      assert.equal(JSON.parse(ev.stdout).samples, 64);
    }
  });
});
