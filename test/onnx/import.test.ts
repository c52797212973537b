/** Import of protos written by other exporters: typed data fields, Constant variants, opset and IR limits. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeModel, encodeModel } from '../../src/onnx/index.js';
import { constantNodeTensor } from '../../src/ir/ops.js';
import { tensorsEqual } from '../../src/ir/tensor.js';
import { ReproError } from '../../src/util/errors.js';
import { onnx } from '../../src/onnx/proto.js';
import { addModel, DOUBLE, encodeProto, FLOAT, INT32, INT64 } from './protos.js';

const load = (m: Parameters<typeof encodeProto>[0]) => decodeModel(encodeProto(m));

describe('ONNX import', () => {
  test('float_data, double_data, int32_data and int64_data give the same tensors as raw_data', () => {
    const f = load(addModel({ name: 'w', dataType: FLOAT, dims: [2, 2], floatData: [1.5, -0, 3e-39, -7] }));
    assert.deepEqual(Array.from(f.initializers.get('w')!.data as ArrayLike<number | bigint>), [
      1.5,
      -0,
      Math.fround(3e-39),
      -7,
    ]);
    assert.ok(Object.is(f.initializers.get('w')!.data[1], -0));
    const raw = new Float32Array([1.5, -0, 3e-39, -7]);
    const fr = load(addModel({ name: 'w', dataType: FLOAT, dims: [2, 2], rawData: new Uint8Array(raw.buffer) }));
    assert.ok(tensorsEqual(f.initializers.get('w')!, fr.initializers.get('w')!));

    const d = load(addModel({ name: 'w', dataType: DOUBLE, dims: [3], doubleData: [0.1, -1e300, 5] }));
    assert.deepEqual(Array.from(d.initializers.get('w')!.data as Float64Array), [0.1, -1e300, 5]);

    const i32 = load(addModel({ name: 'w', dataType: INT32, dims: [3], int32Data: [-2147483648, 0, 2147483647] }));
    assert.deepEqual(Array.from(i32.initializers.get('w')!.data as Int32Array), [-2147483648, 0, 2147483647]);

    const i64 = load(
      addModel({ name: 'w', dataType: INT64, dims: [4], int64Data: [-1, 0, 2 ** 40, '-4611686018427387904'] as never }),
    );
    assert.deepEqual(Array.from(i64.initializers.get('w')!.data as BigInt64Array), [-1n, 0n, 2n ** 40n, -(2n ** 62n)]);

    // uint8 / int8 / bool live in int32_data too.
    const u8 = load(addModel({ name: 'w', dataType: 2, dims: [3], int32Data: [0, 128, 255] }));
    assert.deepEqual(Array.from(u8.initializers.get('w')!.data as ArrayLike<number | bigint>), [0, 128, 255]);
    const i8 = load(addModel({ name: 'w', dataType: 3, dims: [2], int32Data: [-128, 127] }));
    assert.deepEqual(Array.from(i8.initializers.get('w')!.data as ArrayLike<number | bigint>), [-128, 127]);
  });

  test('typed fields are re-exported as raw_data holding identical bits', () => {
    const g = load(addModel({ name: 'w', dataType: INT64, dims: [2], int64Data: [-5, 2 ** 33] }));
    const again = onnx.ModelProto.decode(encodeModel(g));
    const w = again.graph!.initializer![0]!;
    assert.equal(w.int64Data?.length ?? 0, 0);
    assert.deepEqual(Array.from(new BigInt64Array(new Uint8Array(w.rawData!).buffer)), [-5n, 2n ** 33n]);
  });

  test('payloads that disagree with the declared shape are refused', () => {
    const cases = [
      { name: 'w', dataType: FLOAT, dims: [3], floatData: [1, 2] },
      { name: 'w', dataType: FLOAT, dims: [2], rawData: new Uint8Array(7) },
      { name: 'w', dataType: INT64, dims: [2, 2], int64Data: [1] },
      { name: 'w', dataType: FLOAT, dims: [-1], floatData: [] },
      { name: 'w', dataType: FLOAT, dims: [1e6, 1e6], floatData: [] },
      { name: 'w', dataType: 10, dims: [1], int32Data: [0] }, // float16: not supported
      { name: 'w', dataType: 8, dims: [1], stringData: [new Uint8Array(1)] }, // strings: not supported
    ];
    for (const w of cases) assert.throws(() => load(addModel(w)), ReproError, JSON.stringify(w.dims));
  });

  test('Constant node variants decode to the right tensors', () => {
    const m = addModel({ name: 'w', dataType: FLOAT, dims: [1], floatData: [0] });
    const T = onnx.AttributeProto.AttributeType;
    m.graph!.node = [
      {
        name: 'c_tensor',
        opType: 'Constant',
        output: ['a'],
        attribute: [{ name: 'value', type: T.TENSOR, t: { dataType: FLOAT, dims: [2], floatData: [1, 2] } }],
      },
      {
        name: 'c_float',
        opType: 'Constant',
        output: ['b'],
        attribute: [{ name: 'value_float', type: T.FLOAT, f: 0.25 }],
      },
      {
        name: 'c_floats',
        opType: 'Constant',
        output: ['c'],
        attribute: [{ name: 'value_floats', type: T.FLOATS, floats: [1, -2] }],
      },
      { name: 'c_int', opType: 'Constant', output: ['d'], attribute: [{ name: 'value_int', type: T.INT, i: -3 }] },
      {
        name: 'c_ints',
        opType: 'Constant',
        output: ['e'],
        attribute: [{ name: 'value_ints', type: T.INTS, ints: [4, 5, -6] }],
      },
      {
        name: 'c_raw',
        opType: 'Constant',
        output: ['f'],
        attribute: [
          {
            name: 'value',
            type: T.TENSOR,
            t: { dataType: INT64, dims: [], rawData: new Uint8Array(new BigInt64Array([9n]).buffer) },
          },
        ],
      },
      ...m.graph!.node!,
    ];
    const g = load(m);
    const t = (i: number) => constantNodeTensor(g.nodes[i]!);
    assert.deepEqual(
      [t(0).dtype, t(0).dims, Array.from(t(0).data as ArrayLike<number | bigint>)],
      ['float32', [2], [1, 2]],
    );
    assert.deepEqual(
      [t(1).dtype, t(1).dims, Array.from(t(1).data as ArrayLike<number | bigint>)],
      ['float32', [], [0.25]],
    );
    assert.deepEqual(
      [t(2).dtype, t(2).dims, Array.from(t(2).data as ArrayLike<number | bigint>)],
      ['float32', [2], [1, -2]],
    );
    assert.deepEqual(
      [t(3).dtype, t(3).dims, Array.from(t(3).data as ArrayLike<number | bigint>)],
      ['int64', [], [-3n]],
    );
    assert.deepEqual(
      [t(4).dtype, t(4).dims, Array.from(t(4).data as ArrayLike<number | bigint>)],
      ['int64', [3], [4n, 5n, -6n]],
    );
    assert.deepEqual([t(5).dtype, t(5).dims, Array.from(t(5).data as ArrayLike<number | bigint>)], ['int64', [], [9n]]);
  });

  test('opsets 7..21 load; others, a missing default opset and IR < 3 are refused', () => {
    for (const opset of [7, 11, 17, 21])
      assert.equal(load(addModel({ name: 'w', dataType: FLOAT, dims: [1], floatData: [1] }, { opset })).opset, opset);
    assert.equal(
      load(addModel({ name: 'w', dataType: FLOAT, dims: [1], floatData: [1] }, { domain: 'ai.onnx', opset: 13 })).opset,
      13,
    );
    const w = { name: 'w', dataType: FLOAT, dims: [1], floatData: [1] };
    assert.throws(() => load(addModel(w, { opset: 6 })), /opset 6 is not supported.*7-21/);
    assert.throws(() => load(addModel(w, { opset: 22 })), /opset 22 is not supported/);
    assert.throws(() => load(addModel(w, { domain: 'com.other' })), /no default-domain opset/);
    assert.throws(() => load(addModel(w, { irVersion: 2 })), /IR version 2 is too old/);
  });

  test('initializers also listed as graph inputs (old exporters) are weights, not feeds', () => {
    const m = addModel({ name: 'w', dataType: FLOAT, dims: [2], floatData: [1, 2] });
    m.graph!.input!.push({ name: 'w', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: 2 }] } } } });
    const g = load(m);
    assert.deepEqual(
      g.inputs.map((v) => v.name),
      ['x'],
    );
    assert.ok(g.initializers.has('w'));
  });
});
