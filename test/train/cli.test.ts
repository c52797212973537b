import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runFinetune } from '../../src/cli/commands/finetune.js';
import { runTrain } from '../../src/cli/commands/train.js';
import { loadOnnx, saveOnnx } from '../../src/onnx/index.js';

const common = { data: 'mnist', epochs: 1, limit: 256, batch: 16, json: true };

test('train then finetune via the CLI entry points keeps pruned weights at 0', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-cli-'));
  try {
    const trained = path.join(dir, 'mlp.onnx');
    const s = await runTrain({ ...common, arch: 'mlp', output: trained });
    assert.equal(s.epochs, 1);
    assert.ok((s.accuracy as number) > 0.15, `accuracy ${s.accuracy}`);
    assert.ok((s.samplesPerSecond as number) > 0);
    await assert.rejects(runTrain({ ...common, arch: 'mlp', output: trained }), /exists; pass --force/);

    // Prune: zero every other weight of fc1, save, fine-tune with the default mask.
    const g = loadOnnx(trained);
    const w = g.initializers.get('fc1.weight')!.data as Float32Array;
    for (let i = 0; i < w.length; i += 2) w[i] = 0;
    const pruned = path.join(dir, 'pruned.onnx');
    saveOnnx(g, pruned);
    const out = path.join(dir, 'ft.onnx');
    const f = await runFinetune(pruned, { ...common, output: out, mask: true });
    assert.ok((f.maskedWeights as number) >= w.length / 2);
    const w2 = loadOnnx(out).initializers.get('fc1.weight')!.data as Float32Array;
    for (let i = 0; i < w2.length; i += 2) assert.equal(w2[i], 0);
    assert.ok(
      w2.some((v, i) => i % 2 === 1 && v !== w[i]),
      'unpruned weights did not change',
    );
    await assert.rejects(
      runFinetune(pruned, { ...common, output: pruned, mask: true, force: true }),
      /refusing to overwrite the input/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
