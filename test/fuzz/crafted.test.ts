/**
 * Hand-crafted hostile models the random corpus rarely produces: absurd generated sizes (nothing may be
 * materialized), deep protobuf nesting, very long chains, self-loops, prototype-polluting attribute names.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../../src/ir/graph.js';
import { f32, i64, i64vec } from '../../src/ir/tensor.js';
import { decodeModel, encodeModel } from '../../src/onnx/index.js';
import { onnx } from '../../src/onnx/proto.js';
import { ReproError } from '../../src/util/errors.js';
import { loadLikeInfo, MEMORY_ALLOWANCE } from './cases.js';
import { addModel, decodeProto, encodeProto, FLOAT } from '../onnx/protos.js';

/** Load like `reprune info`; returns 'loaded' or the ReproError message; any other exception fails the test. */
function outcome(bytes: Uint8Array): string {
  const before = process.resourceUsage().maxRSS * 1024;
  let r = 'loaded';
  try {
    loadLikeInfo(bytes, '/nonexistent');
  } catch (e) {
    if (!(e instanceof ReproError)) throw e;
    r = e.message;
  }
  const grew = process.resourceUsage().maxRSS * 1024 - before;
  assert.ok(grew <= MEMORY_ALLOWANCE(bytes.length), `peak memory grew by ${grew} bytes`);
  return r;
}

/** x [N,4] → op(...) → graph output, so the op's (possibly absurd) output is never broadcast away. */
function oneOp(op: string, inputs: (g: Graph) => string[]): Uint8Array {
  const g = new Graph();
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 4] }];
  const [o] = g.add(op, inputs(g));
  g.outputs = [{ name: o!, dtype: 'float32' }];
  return encodeModel(g);
}

describe('crafted hostile models', () => {
  test('generators with absurd output sizes are never materialized', () => {
    const big = i64vec([2 ** 20, 2 ** 20, 2 ** 20]);
    const cases: Record<string, Uint8Array> = {
      ConstantOfShape: oneOp('ConstantOfShape', (g) => [g.addInitializer('s', big)]),
      Expand: oneOp('Expand', (g) => [g.addInitializer('v', f32([1], [1])), g.addInitializer('s', big)]),
      Tile: oneOp('Tile', (g) => [g.addInitializer('v', f32([1, 1, 1], [1])), g.addInitializer('r', big)]),
      Range: oneOp('Range', (g) => [
        g.addInitializer('a', i64([], [0])),
        g.addInitializer('b', i64([], [2 ** 50])),
        g.addInitializer('d', i64([], [1])),
      ]),
      OneHot: oneOp('OneHot', (g) => [
        g.addInitializer('i', i64vec([1])),
        g.addInitializer('d', i64([], [2 ** 40])),
        g.addInitializer('v', f32([2], [0, 1])),
      ]),
      Pad: oneOp('Pad', (g) => [
        g.addInitializer('v', f32([1, 1], [1])),
        g.addInitializer('p', i64vec([0, 0, 2 ** 30, 2 ** 30])),
      ]),
    };
    for (const [name, bytes] of Object.entries(cases)) assert.equal(typeof outcome(bytes), 'string', name);
  });

  test('a declared 2^40-element initializer without data is refused before allocation', () => {
    const m = addModel({ name: 'w', dataType: FLOAT, dims: [2 ** 20, 2 ** 20], rawData: new Uint8Array(4) });
    assert.match(outcome(encodeProto(m)), /too large/);
  });

  test('deeply nested subgraph attributes end in a ReproError (no stack overflow escapes)', () => {
    // Built on the wire directly (our encoder recurses too): Graph{node: Node{attribute: Attr{name, g: Graph{...}}}}.
    const varint = (n: number): number[] => {
      const out: number[] = [];
      for (; n >= 128; n >>>= 7) out.push((n & 127) | 128);
      out.push(n);
      return out;
    };
    const prefix = (tag: number, n: number) => [tag, ...varint(n)];
    // Each level is the previous one plus a fixed 7-byte head and a length prefix, so build it back to front
    // in one buffer instead of copying the growing message 4000 times.
    const DEPTH = 4000;
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (let i = 0; i < DEPTH; i++) {
      // attr = name 't' | g (field 6) <inner> | type GRAPH ; node = attribute (field 5) <attr> ; graph = node (field 1) <node>
      const attrLen = 3 + prefix(0x32, size).length + size + 3;
      const nodeLen = prefix(0x2a, attrLen).length + attrLen;
      const head = Uint8Array.from([
        ...prefix(0x0a, nodeLen),
        ...prefix(0x2a, attrLen),
        0x0a,
        1,
        0x74,
        ...prefix(0x32, size),
      ]);
      chunks.push(head);
      size += head.length + 3;
    }
    const graph = new Uint8Array(size);
    let at = 0;
    for (let i = DEPTH - 1; i >= 0; i--) {
      graph.set(chunks[i]!, at);
      at += chunks[i]!.length;
    }
    for (let i = 0; i < DEPTH; i++) {
      graph.set([0xa0, 0x01, 5], at);
      at += 3;
    } // each level's trailing `type: GRAPH`
    const base = encodeProto(addModel({ name: 'w', dataType: FLOAT, dims: [1], floatData: [1] }));
    // A second ModelProto.graph field merges into the first: the deep node joins the valid graph.
    const bytes = new Uint8Array([...base, ...prefix(0x3a, graph.length), ...graph]);
    const msg = outcome(bytes);
    assert.match(msg, /nested too deeply/);
  });

  test('a 20,000-node chain loads (iterative topological sort and inference)', () => {
    const g = new Graph();
    g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 4] }];
    let v = 'x';
    for (let i = 0; i < 20000; i++) {
      g.nodes.push({ name: `r${i}`, opType: 'Relu', inputs: [v], outputs: [`v${i}`], attrs: {} });
      v = `v${i}`;
    }
    g.outputs = [{ name: v, dtype: 'float32' }];
    g.nodes.reverse(); // stored in reverse order: the loader must sort them
    assert.equal(outcome(encodeModel(g)), 'loaded');
  });

  test('a node reading its own output is a cycle', () => {
    const m = addModel({ name: 'w', dataType: FLOAT, dims: [1], floatData: [1] });
    m.graph!.node![1]!.input = ['y'];
    assert.match(outcome(encodeProto(m)), /cycle/);
  });

  test("attribute names '__proto__' and repeated names are refused; repeated node names are renamed", () => {
    const T = onnx.AttributeProto.AttributeType;
    const m = addModel({ name: 'w', dataType: FLOAT, dims: [1], floatData: [1] });
    m.graph!.node![1]!.attribute = [{ name: '__proto__', type: T.INT, i: 1 }];
    assert.match(outcome(encodeProto(m)), /invalid name '__proto__'/);
    m.graph!.node![1]!.attribute = [
      { name: 'alpha', type: T.FLOAT, f: 1 },
      { name: 'alpha', type: T.FLOAT, f: 2 },
    ];
    assert.match(outcome(encodeProto(m)), /attribute 'alpha' twice/);
    const d = decodeProto(encodeProto(addModel({ name: 'w', dataType: FLOAT, dims: [1], floatData: [1] })));
    d.graph!.node![0]!.name = 'same';
    d.graph!.node![1]!.name = 'same';
    const g = decodeModel(encodeProto(d));
    assert.deepEqual(
      g.nodes.map((n) => n.name),
      ['same', 'same_1'],
    );
    assert.equal(outcome(encodeProto(d)), 'loaded');
  });

  test('unnamed nodes get names that do not collide with explicit ones', () => {
    const d = decodeProto(encodeProto(addModel({ name: 'w', dataType: FLOAT, dims: [1], floatData: [1] })));
    d.graph!.node![0]!.name = '';
    d.graph!.node![1]!.name = 'Add_0';
    const g = decodeModel(encodeProto(d));
    assert.deepEqual(
      g.nodes.map((n) => n.name),
      ['Add_0_1', 'Add_0'],
    );
  });
});
