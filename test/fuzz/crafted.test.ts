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
      Range: oneOp('Range', (g) => [g.addInitializer('a', i64([], [0])), g.addInitializer('b', i64([], [2 ** 50])), g.addInitializer('d', i64([], [1]))]),
      OneHot: oneOp('OneHot', (g) => [g.addInitializer('i', i64vec([1])), g.addInitializer('d', i64([], [2 ** 40])), g.addInitializer('v', f32([2], [0, 1]))]),
      Pad: oneOp('Pad', (g) => [g.addInitializer('v', f32([1, 1], [1])), g.addInitializer('p', i64vec([0, 0, 2 ** 30, 2 ** 30]))]),
    };
    for (const [name, bytes] of Object.entries(cases)) assert.equal(typeof outcome(bytes), 'string', name);
  });

  test('a declared 2^40-element initializer without data is refused before allocation', () => {
    const m = addModel({ name: 'w', dataType: FLOAT, dims: [2 ** 20, 2 ** 20], rawData: new Uint8Array(4) });
    assert.match(outcome(encodeProto(m)), /too large/);
  });

  test('deeply nested subgraph attributes end in a ReproError (no stack overflow escapes)', () => {
    // Built on the wire directly (our encoder recurses too): Graph{node: Node{attribute: Attr{name, g: Graph{...}}}}.
    const field = (tag: number, body: Uint8Array): Uint8Array => {
      const len: number[] = [];
      for (let n = body.length; ; n >>>= 7) { if (n < 128) { len.push(n); break; } len.push((n & 127) | 128); }
      const out = new Uint8Array(1 + len.length + body.length);
      out[0] = tag;
      out.set(len, 1);
      out.set(body, 1 + len.length);
      return out;
    };
    let graph = new Uint8Array();
    for (let i = 0; i < 6000; i++) {
      const attr = Uint8Array.from([0x0a, 1, 0x74, ...field(0x32, graph), 0xa0, 0x01, 5]); // name 't', g, type GRAPH
      graph = field(0x0a, field(0x2a, attr)); // GraphProto.node[0].attribute[0]
    }
    const base = encodeProto(addModel({ name: 'w', dataType: FLOAT, dims: [1], floatData: [1] }));
    // A second ModelProto.graph field merges into the first: the deep node joins the valid graph.
    const bytes = Uint8Array.from([...base, ...field(0x3a, graph)]);
    assert.match(outcome(bytes), /not a valid ONNX model|no op type|not supported/);
  });

  test('a 20,000-node chain loads (iterative topological sort and inference)', () => {
    const g = new Graph();
    g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 4] }];
    let v = 'x';
    for (let i = 0; i < 20000; i++) [v] = g.add('Relu', [v], {}, { name: `r${i}`, outputs: [`v${i}`] });
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
    m.graph!.node![1]!.attribute = [{ name: 'alpha', type: T.FLOAT, f: 1 }, { name: 'alpha', type: T.FLOAT, f: 2 }];
    assert.match(outcome(encodeProto(m)), /attribute 'alpha' twice/);
    const d = decodeProto(encodeProto(addModel({ name: 'w', dataType: FLOAT, dims: [1], floatData: [1] })));
    d.graph!.node![0]!.name = 'same';
    d.graph!.node![1]!.name = 'same';
    const g = decodeModel(encodeProto(d));
    assert.deepEqual(g.nodes.map((n) => n.name), ['same', 'same_1']);
    assert.equal(outcome(encodeProto(d)), 'loaded');
  });

  test('unnamed nodes get names that do not collide with explicit ones', () => {
    const d = decodeProto(encodeProto(addModel({ name: 'w', dataType: FLOAT, dims: [1], floatData: [1] })));
    d.graph!.node![0]!.name = '';
    d.graph!.node![1]!.name = 'Add_0';
    const g = decodeModel(encodeProto(d));
    assert.deepEqual(g.nodes.map((n) => n.name), ['Add_0_1', 'Add_0']);
  });
});
