/**
 * Writing models with external data: `--external-data` (or a model over ~1.9 GB) puts the large tensors in
 * `<model>.data` beside the model; the pair reads back bit for bit, runs in ONNX Runtime from its path, and both
 * files go through the output guard. The > 2 GB round trip needs ~8 GB of free memory and disk; it is skipped
 * (with the reason) on smaller machines.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildModel } from '../../src/models/index.js';
import { buildMatMulStack } from '../../src/models/matmul-stack.js';
import { decodeModel, encodeModel, loadOnnx, saveOnnx } from '../../src/onnx/index.js';
import {
  EXTERNAL_DATA_THRESHOLD,
  externalDataPath,
  externalLayout,
  initializerBytes,
  wantsExternalData,
  writeExternalData,
} from '../../src/onnx/external.js';
import { progressLines } from '../../src/util/progress-lines.js';
import type { Graph } from '../../src/ir/graph.js';
import { loadOrt } from '../../src/runtime/ort.js';
import { ReproError } from '../../src/util/errors.js';
import { releaseAllClaims } from '../../src/util/output-guard.js';
import { graphDiff } from './compare.js';
import { isCleanError, runCli, tmpDir } from '../cli/helpers.js';

const dir = tmpDir('reprune-extw-');

/** sha256 of every initializer's bytes, with its dims. */
function tensorDigests(g: Graph): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, t] of g.initializers) {
    const h = createHash('sha256').update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    out.set(name, `${t.dims.join('x')}:${h.digest('hex')}`);
  }
  return out;
}

function sameBits(a: Graph, b: Graph, what: string): void {
  assert.deepEqual(graphDiff(a, b), [], what);
  for (const [name, t] of a.initializers) {
    const u = b.initializers.get(name)!;
    const x = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    assert.ok(x.equals(Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength)), `${what}: ${name}`);
  }
}

/** y = the stack applied to x in float64, from the graph's own weights (the reference for ORT). */
function stackReference(g: Graph, x: Float64Array): Float64Array {
  let v = x;
  const mats = g.nodes.filter((n) => n.opType === 'MatMul');
  mats.forEach((n, i) => {
    const w = g.initializers.get(n.inputs[1]!)!;
    const [cin, cout] = w.dims as [number, number];
    const bias = g.initializers.get(n.inputs[1]!.replace('.weight', '.bias'))!.data as Float32Array;
    const wd = w.data as Float32Array;
    const y = new Float64Array(cout);
    for (let r = 0; r < cin; r++) {
      const a = v[r]!;
      if (a === 0) continue;
      const row = r * cout;
      for (let c = 0; c < cout; c++) y[c]! += a * wd[row + c]!;
    }
    for (let c = 0; c < cout; c++) y[c] = y[c]! + bias[c]!;
    if (i < mats.length - 1) for (let c = 0; c < cout; c++) y[c] = Math.max(0, y[c]!);
    v = y;
  });
  return v;
}

async function runOrtFromPath(file: string, x: Float32Array, width: number): Promise<Float32Array> {
  const ort = await loadOrt();
  const s = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
  const out = await s.run({ input: new ort.Tensor('float32', x, [1, width]) });
  const y = (out.output as { data: Float32Array }).data;
  await s.release();
  return y;
}

function maxRelErr(y: Float32Array, ref: Float64Array): number {
  let err = 0;
  let scale = 1e-6;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(y[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return err / scale;
}

describe('ONNX external data (writing)', () => {
  test('a small model saved with externalData round-trips bit for bit; small tensors stay inline', () => {
    const g = buildModel('vgg-small');
    const file = path.join(dir, 'vgg.onnx');
    saveOnnx(g, file, undefined, { externalData: true });
    const modelSize = fs.statSync(file).size;
    const dataSize = fs.statSync(externalDataPath(file)).size;
    assert.ok(modelSize < 64 * 1024, `model file ${modelSize} bytes should hold only the graph and small tensors`);
    assert.ok(dataSize >= initializerBytes(g) * 0.9, `data file ${dataSize} bytes`);
    const back = loadOnnx(file);
    sameBits(g, back, 'vgg-small');
    // Saved inline again, it is byte-identical to a model that never had external data.
    assert.ok(Buffer.from(encodeModel(back)).equals(Buffer.from(encodeModel(g))));
  });

  test('the pair runs in ONNX Runtime from its path, equal to the float64 reference', async () => {
    const g = buildMatMulStack({ width: 64, hidden: 96, blocks: 2, seed: 3 });
    const file = path.join(dir, 'stack.onnx');
    saveOnnx(g, file, undefined, { externalData: true });
    const x = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
    const y = await runOrtFromPath(file, x, 64);
    const err = maxRelErr(y, stackReference(g, Float64Array.from(x)));
    assert.ok(err < 1e-5, `max relative |ORT - reference| = ${err}`);
  });

  test('writing the data file reports progress in MB, one step per piece, ending at the total', () => {
    const g = buildModel('mlp', { seed: 1 });
    const slots = externalLayout(g);
    const lines: string[] = [];
    const progress = progressLines((l) => lines.push(l), 'w', 1, { afterMs: 0, everyMs: 0, now: () => 0 });
    const file = path.join(dir, 'progress.data');
    const fd = fs.openSync(file, 'w');
    try {
      writeExternalData(fd, slots, progress);
    } finally {
      fs.closeSync(fd);
    }
    assert.ok(slots.length >= 3, 'mlp has three large weights');
    assert.equal(lines.length, slots.length);
    assert.match(lines.at(-1)!, /^w: 1\/1 \(1 MB in all\), 0\.0 s$/);
    assert.equal(fs.statSync(file).size, slots.at(-1)!.offset + slots.at(-1)!.length);
  });

  test('the size rule: over the threshold (or forced) means external data', () => {
    const g = buildModel('mlp');
    assert.equal(wantsExternalData(g, false), false);
    assert.equal(wantsExternalData(g, true), true);
    assert.ok(EXTERNAL_DATA_THRESHOLD < 2 ** 31 - 1 - 64 * 2 ** 20, 'the threshold leaves room for the graph');
  });

  test('the guard: an existing .data needs --force; the data file of an input is never replaced', () => {
    const g = buildModel('mlp');
    const file = path.join(dir, 'guarded.onnx');
    fs.writeFileSync(externalDataPath(file), 'keep me');
    assert.throws(
      () => saveOnnx(g, file, { inputs: [] }, { externalData: true }),
      (e: Error) => e instanceof ReproError && /guarded\.onnx\.data: file exists/.test(e.message),
    );
    releaseAllClaims();
    assert.equal(fs.readFileSync(externalDataPath(file), 'utf8'), 'keep me');
    assert.equal(fs.existsSync(file), false, 'nothing written when the data file is refused');
    saveOnnx(g, file, { inputs: [], force: true }, { externalData: true });
    releaseAllClaims();
    sameBits(g, loadOnnx(file), 'forced');
    // Loading `file` read `file.data`: saving another model whose data file is that one is refused.
    const other = path.join(dir, 'guarded.onnx.data');
    assert.throws(
      () => saveOnnx(g, other, { inputs: [file], force: true }),
      (e: Error) => e instanceof ReproError && /refusing to overwrite the input/.test(e.message),
    );
    releaseAllClaims();
  });

  test('CLI: --external-data writes model + .data that load back; external data outside the folder is refused', async () => {
    const out = path.join(dir, 'cli.onnx');
    const r = await runCli(['--external-data', 'export-zoo', 'lenet5', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(externalDataPath(out)));
    sameBits(buildModel('lenet5'), loadOnnx(out), 'lenet5 via CLI');
    // The same model moved away from its data: the reader names the tensor and the missing file.
    const moved = path.join(tmpDir('reprune-extw-moved-'), 'lenet5.onnx');
    fs.copyFileSync(out, moved);
    const info = await runCli(['info', moved]);
    assert.ok(isCleanError(info), info.stderr);
    assert.match(info.stderr, /tensor '[^']+'.*'cli\.onnx\.data' not found/);
    // A hand-edited location (same length, so the protobuf stays valid) that climbs out of the folder.
    const bytes = fs.readFileSync(out);
    const evil = Buffer.from(bytes.toString('latin1').replaceAll('cli.onnx.data', '../i.onnx.dat'), 'latin1');
    assert.throws(
      () => decodeModel(evil, { where: 'evil.onnx', modelDir: dir }),
      (e: Error) =>
        e instanceof ReproError && /tensor '.+': external data path '\.\.\/i\.onnx\.dat' leaves/.test(e.message),
    );
  });

  const freeGB = os.freemem() / 2 ** 30;
  const diskGB = (() => {
    const s = fs.statfsSync(dir);
    return (s.bavail * s.bsize) / 2 ** 30;
  })();
  const skipBig =
    freeGB < 9 || diskGB < 6
      ? `needs 9 GB free memory and 6 GB disk (have ${freeGB.toFixed(1)} / ${diskGB.toFixed(1)})`
      : false;

  test('a model over 2 GB is written with external data automatically, reads back bit for bit and runs in ORT', {
    skip: skipBig,
    timeout: 600_000,
  }, async () => {
    const width = 8192;
    const opts = { width, hidden: 9216, blocks: 4, seed: 1 };
    const file = path.join(dir, 'big.onnx');
    let ref: Float64Array;
    let digests: Map<string, string>;
    let structure: string;
    const x = Float32Array.from({ length: width }, (_, i) => Math.cos(i * 0.1));
    {
      const g = buildMatMulStack(opts);
      assert.ok(initializerBytes(g) > 2 ** 31, "the model is over protobuf's 2 GB limit");
      saveOnnx(g, file);
      assert.ok(fs.statSync(file).size < 2 ** 20);
      ref = stackReference(g, Float64Array.from(x));
      digests = tensorDigests(g);
      structure = JSON.stringify([g.nodes, g.inputs, g.outputs, g.metadata]);
    }
    {
      // Digests, not a second copy of the model, so the test itself stays near 1x the model in memory.
      const back = loadOnnx(file);
      assert.deepEqual(tensorDigests(back), digests);
      assert.equal(JSON.stringify([back.nodes, back.inputs, back.outputs, back.metadata]), structure);
    }
    const y = await runOrtFromPath(file, x, width);
    const err = maxRelErr(y, ref);
    assert.ok(err < 1e-4, `max relative |ORT - reference| = ${err}`);
  });
});
