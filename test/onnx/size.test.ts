/**
 * encodedSize(g) must equal encodeModel(g).length exactly: on the zoo, on a graph with every attribute kind,
 * metadata and doc strings, and where payloads push a length prefix (tensor, attribute, node or graph) across a
 * varint boundary (1 → 2 bytes at 128, 2 → 3 at 16384, 3 → 4 at 2^21).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32, i64, tensor, type Tensor } from '../../src/ir/tensor.js';
import { buildModel, ZOO_ARCHS } from '../../src/models/index.js';
import { encodeModel, graphToModelProto } from '../../src/onnx/encode.js';
import { onnx } from '../../src/onnx/proto.js';
import { encodedSize, varintSize } from '../../src/onnx/size.js';

function assertSize(g: Graph, what: string): void {
  assert.equal(encodedSize(g), encodeModel(g).length, what);
}

/** A one-node graph: y = Identity(x); `extra` initializers are kept (unused weights are still serialized). */
function tiny(extra: Record<string, Tensor> = {}): Graph {
  const g = new Graph();
  g.name = 'tiny';
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 4] }];
  g.outputs = [{ name: 'y', dtype: 'float32', shape: ['N', 4] }];
  g.add('Identity', ['x'], {}, { name: 'id', outputs: ['y'] });
  for (const [k, t] of Object.entries(extra)) g.addInitializer(k, t, true);
  return g;
}

const bytesTensor = (n: number): Tensor => tensor('uint8', [n], new Uint8Array(n).fill(7));

/** Length of the serialized GraphProto, i.e. the value of ModelProto.graph's length prefix. */
const graphBodySize = (g: Graph): number => onnx.GraphProto.encode(graphToModelProto(g, false).graph!).finish().length;

describe('encodedSize', () => {
  for (const arch of ZOO_ARCHS) {
    test(`zoo model ${arch}`, () => assertSize(buildModel(arch, { seed: 3 }), arch));
  }

  test('tensor attributes, every attribute kind, metadata and doc strings', () => {
    const g = tiny({
      w: f32([2, 3], [1, -2, 3, -4, 5, -6]),
      e: f32([0, 4]),
      s: f32([], [2]),
      b: i64([2], [1, -(2 ** 40)]),
    });
    g.docString = 'a model with a doc string ✓';
    g.producerVersion = '9.9';
    g.metadata = { author: 'me', ünïcode: '✓', empty: '' };
    g.extraOpsets = [{ domain: 'com.example', version: 2 }];
    g.add(
      'Constant',
      [],
      { value: A.tensor(f32([300], new Float32Array(300).fill(0.5))) },
      { name: 'const_t', outputs: ['c0'] },
    );
    g.add('Constant', [], { value: A.tensor(i64([0], [])) }, { name: 'const_empty', outputs: ['c1'] });
    g.add(
      'Custom',
      ['x', ''],
      {
        s: A.string('SAME_UPPER ✓'),
        ss: A.strings(['a', '', 'é']),
        fs: A.floats([0.5, -1e-8]),
        is: A.ints([1, 2 ** 50, -3]),
        i: A.int(-7),
        f: A.float(0.1),
        t1: A.tensor(f32([40])),
        t2: A.tensor(tensor('bool', [5])),
      },
      { name: 'custom', outputs: ['z'], domain: 'com.example' },
    );
    g.nodes[g.nodes.length - 1]!.docString = 'node doc';
    g.valueInfo.set('c0', { name: 'c0', dtype: 'float32', shape: [300] });
    assertSize(g, 'kinds');
  });

  test('initializers of exactly 0, 127, 128, 16383, 16384 and 2^21 bytes', () => {
    for (const n of [0, 1, 127, 128, 129, 16383, 16384, 2 ** 21 - 1, 2 ** 21])
      assertSize(tiny({ w: bytesTensor(n) }), `${n} bytes`);
    const all = Object.fromEntries([0, 127, 128, 16383, 16384].map((n) => [`w${n}`, bytesTensor(n)]));
    assertSize(tiny(all), 'all sizes in one graph');
  });

  test('the graph length prefix crosses 1→2, 2→3 and 3→4 varint bytes', () => {
    for (const boundary of [128, 2 ** 14, 2 ** 21]) {
      const withPayload = (n: number) => tiny({ w: bytesTensor(n) });
      // The largest payload whose graph body is still below the boundary (a few steps up from an underestimate).
      let last = boundary - graphBodySize(withPayload(0)) - 8;
      while (graphBodySize(withPayload(last + 1)) < boundary) last++;
      const prefixes = new Set<number>();
      for (let n = last - 2; n <= last + 3; n++) {
        const g = withPayload(n);
        prefixes.add(varintSize(graphBodySize(g)));
        assertSize(g, `graph body near ${boundary}, payload ${n}`);
      }
      assert.deepEqual([...prefixes].sort(), [varintSize(boundary - 1), varintSize(boundary)], `around ${boundary}`);
    }
  });

  test('tensor attributes that push the attribute and node prefixes across varint boundaries', () => {
    for (const boundary of [128, 2 ** 14]) {
      for (let n = boundary - 40; n <= boundary + 4; n++) {
        const g = tiny();
        g.add('Constant', [], { value: A.tensor(bytesTensor(n)) }, { name: 'c', outputs: ['c0'] });
        assertSize(g, `attribute tensor of ${n} bytes`);
      }
    }
  });

  test('the graph is left untouched', () => {
    const g = buildModel('lenet5', { seed: 1 });
    const before = encodeModel(g);
    encodedSize(g);
    assert.ok(Buffer.from(encodeModel(g)).equals(Buffer.from(before)));
  });
});
