/**
 * Import → export → import keeps every node, attribute and initializer bit for bit, on one-node graphs of
 * every supported op (the op-test cases), on a graph with every attribute kind and dtype, and on zoo models. The
 * export, assembled from pieces (encodeModelPieces), equals protobufjs's encoding of the whole message byte for byte,
 * and saveOnnx writes exactly those bytes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { SUPPORTED_OPS } from '../../src/ir/shape/index.js';
import { f32, i64, tensor } from '../../src/ir/tensor.js';
import { buildModel, ZOO_ARCHS } from '../../src/models/index.js';
import { decodeModel, encodeModel, saveOnnx } from '../../src/onnx/index.js';
import { encodeModelPieces, graphToModelProto } from '../../src/onnx/encode.js';
import { onnx } from '../../src/onnx/proto.js';
import { caseGraph, type OpCase } from '../ir/harness.js';
import { OP_CASES } from '../ir/cases.js';
import { graphDiff } from './compare.js';

const CASES: OpCase[] = OP_CASES;

/** The reference: protobufjs encoding the whole ModelProto at once (what encodeModel did before it wrote pieces). */
function wholeMessage(g: Graph): Buffer {
  return Buffer.from(onnx.ModelProto.encode(onnx.ModelProto.create(graphToModelProto(g) as never)).finish());
}

/** Export, re-import, re-export: the graphs must match and the two byte streams must be identical. */
function assertRoundTrip(g: Graph, what: string): void {
  const bytes = encodeModel(g);
  assert.ok(Buffer.from(bytes).equals(wholeMessage(g)), `${what}: pieces differ from the whole-message encoding`);
  const back = decodeModel(bytes);
  assert.deepEqual(graphDiff(g, back), [], what);
  assert.ok(Buffer.from(encodeModel(back)).equals(Buffer.from(bytes)), `${what}: re-export is not byte-identical`);
}

describe('ONNX round trip', () => {
  test('the op cases cover every supported op', () => {
    const covered = new Set(CASES.map((c) => c.op));
    assert.deepEqual(
      SUPPORTED_OPS.filter((op) => !covered.has(op) && op !== 'Constant'),
      [],
    );
  });

  test('every op case survives import → export → import', () => {
    for (const c of CASES) assertRoundTrip(caseGraph(c).g, c.name);
  });

  test('every attribute kind, every dtype, model metadata and extra opsets', () => {
    const g = new Graph();
    g.name = 'kinds';
    g.opset = 13;
    g.irVersion = 7;
    g.producerName = 'pytorch';
    g.producerVersion = '1.13.0';
    g.docString = 'doc';
    g.metadata = { author: 'me', ünïcode: '✓' };
    g.extraOpsets = [{ domain: 'com.example', version: 2 }];
    g.inputs = [
      { name: 'x', dtype: 'float32', shape: ['batch', 3, 7] },
      { name: 'idx', dtype: 'int64', shape: [2] },
    ];
    for (const dt of ['float32', 'float64', 'int64', 'int32', 'int8', 'uint8', 'bool'] as const) {
      const t = tensor(dt, [2, 3]);
      for (let i = 0; i < 6; i++) {
        if (t.data instanceof BigInt64Array) t.data[i] = BigInt(i) * -1234567890123n;
        else
          (t.data as Float32Array)[i] = dt === 'bool' ? i % 2 : dt.startsWith('float') ? (i - 2.5) / 3 : i * 37 - 100;
      }
      g.addInitializer(`w_${dt}`, t, true);
    }
    // Special float bit patterns must survive: -0, NaN payload, denormals, infinities.
    const special = new Float32Array([-0, NaN, 1e-45, Infinity, -Infinity, 3.4028235e38]);
    new Uint32Array(special.buffer)[1] = 0x7fc12345;
    g.addInitializer('special', f32([6], special), true);
    g.addInitializer('scalar', f32([], [2]), true);
    g.addInitializer('empty', f32([0, 4]), true);
    g.add('Constant', [], { value: A.tensor(i64([3], [1, -2, 2 ** 40])) }, { name: 'const_t', outputs: ['c0'] });
    g.add('Constant', [], { value_float: A.float(0.1) }, { name: 'const_f', outputs: ['c1'] });
    g.add('Constant', [], { value_floats: A.floats([0.5, -1e-8]) }, { name: 'const_fs', outputs: ['c2'] });
    g.add('Constant', [], { value_int: A.int(-7) }, { name: 'const_i', outputs: ['c3'] });
    g.add('Constant', [], { value_ints: A.ints([1, 2 ** 50, -3]) }, { name: 'const_is', outputs: ['c4'] });
    g.add(
      'Custom',
      ['x', '', 'idx'],
      {
        s: A.string('SAME_UPPER ✓'),
        ss: A.strings(['a', '', 'é']),
        fs: A.floats([]),
        is: A.ints([]),
        i: A.int(-(2 ** 52)),
      },
      { name: 'custom', outputs: ['y', ''], domain: 'com.example' },
    );
    g.nodes[g.nodes.length - 1]!.docString = 'node doc';
    g.outputs = [
      { name: 'y', dtype: 'float32' },
      { name: 'c0', dtype: 'int64', shape: [3] },
    ];
    g.valueInfo.set('c1', { name: 'c1', dtype: 'float32', shape: [] });
    assertRoundTrip(g, 'kinds');
    const back = decodeModel(encodeModel(g));
    assert.deepEqual(back.nodes[5]!.inputs, ['x', '', 'idx']);
    assert.equal(back.nodes[5]!.domain, 'com.example');
    assert.equal((back.nodes[3]!.attrs.value_int as { value: number }).value, -7);
    assert.deepEqual((back.nodes[4]!.attrs.value_ints as { value: number[] }).value, [1, 2 ** 50, -3]);
    assert.deepEqual(Array.from(back.initializers.get('w_int64')!.data as BigInt64Array), [
      0n,
      -1234567890123n,
      -2469135780246n,
      -3703703670369n,
      -4938271560492n,
      -6172839450615n,
    ]);
    assert.equal(new Uint32Array(back.initializers.get('special')!.data.buffer)[1], 0x7fc12345);
  });

  for (const arch of ZOO_ARCHS) {
    test(`zoo model ${arch}`, () => assertRoundTrip(buildModel(arch, { seed: 5 }), arch));
  }

  test('saveOnnx writes the pieces, whose payloads are the weights themselves (no copy)', () => {
    const g = buildModel('vgg-small', { seed: 2 });
    const pieces = encodeModelPieces(g);
    for (const [name, t] of g.initializers) {
      if (t.data.byteLength === 0) continue;
      assert.ok(
        pieces.some((p) => p.buffer === t.data.buffer && p.byteOffset === t.data.byteOffset),
        `initializer '${name}' was copied`,
      );
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-pieces-'));
    try {
      const file = path.join(dir, 'm.onnx');
      saveOnnx(g, file);
      assert.ok(fs.readFileSync(file).equals(wholeMessage(g)));
      assert.deepEqual(graphDiff(g, decodeModel(fs.readFileSync(file))), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
