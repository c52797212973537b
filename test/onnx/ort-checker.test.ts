/**
 * Exported models are real ONNX: ONNX Runtime loads and runs every zoo model after a round trip, and where
 * python3-onnx is installed, onnx.checker (full check, with its shape inference) accepts them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildModel, ZOO_ARCHS } from '../../src/models/index.js';
import { decodeModel, encodeModel, saveOnnx } from '../../src/onnx/index.js';
import { compile } from '../../src/runtime/session.js';
import { f32 } from '../../src/ir/tensor.js';
import { inferShapes } from '../../src/ir/shape/index.js';
import { caseGraph } from '../ir/harness.js';
import { OP_CASES } from '../ir/cases.js';

/** The first python that can `import onnx` (Debian's /usr/bin/python3 has it; pyenv's may not). */
function pythonWithOnnx(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import onnx'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
}

const CHECK = `
import sys, onnx
full = sys.argv[1] == 'full'
bad = 0
for f in sys.argv[2:]:
    try:
        onnx.checker.check_model(onnx.load(f), full_check=full)
    except Exception as e:
        bad += 1
        print(f + ': ' + str(e).splitlines()[0])
sys.exit(1 if bad else 0)
`;

describe('exported models', () => {
  for (const arch of ZOO_ARCHS) {
    test(`ORT loads and runs ${arch} after a round trip`, async () => {
      const g = decodeModel(encodeModel(buildModel(arch, { seed: 1 })));
      const shape = g.inputs[0]!.shape!.map((d) => (typeof d === 'number' ? d : 2));
      const x = f32(
        shape,
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i % 13) / 13),
      );
      const out = await (await compile(g, { threads: 1 })).run({ [g.inputs[0]!.name]: x });
      const logits = out[g.outputs[0]!.name]!;
      assert.deepEqual(logits.dims, [2, 10]);
      assert.ok(Array.from(logits.data as Float32Array).every(Number.isFinite));
    });
  }

  const py = pythonWithOnnx();
  test('onnx.checker accepts zoo models (full check) and every op case up to opset 17 (full check)', {
    skip: py ? false : 'python3 with the onnx module is not installed (apt-get install python3-onnx)',
  }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-checker-'));
    const zoo = ZOO_ARCHS.map((arch) => {
      const f = path.join(dir, `${arch}.onnx`);
      saveOnnx(buildModel(arch), f);
      return f;
    });
    const full = spawnSync(py!, ['-c', CHECK, 'full', ...zoo], { encoding: 'utf8' });
    assert.equal(full.status, 0, full.stdout + full.stderr);
    // onnx 1.12 knows opsets up to 17, and wants a shape on every graph output: fill them by our shape inference.
    // 'MaxPool ceil edge': onnx 1.12's inference keeps a last window that starts past the input (3); ORT and
    // reprune drop it (2), as later onnx releases do.
    const OLD_ONNX_DISAGREES = new Set(['MaxPool ceil edge']);
    const cases = OP_CASES.filter((c) => (c.opset ?? 17) <= 17 && !OLD_ONNX_DISAGREES.has(c.name)).map((c, i) => {
      const f = path.join(dir, `case${i}.onnx`);
      const { g } = caseGraph(c);
      inferShapes(g);
      saveOnnx(g, f);
      return f;
    });
    const plain = spawnSync(py!, ['-c', CHECK, 'full', ...cases], { encoding: 'utf8' });
    assert.equal(plain.status, 0, plain.stdout + plain.stderr);
    assert.ok(cases.length > 100);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
