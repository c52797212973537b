/** Hand-built ONNX protos (bypassing our encoder) for import tests and the fuzzer. */
import { onnx, type ModelProto, type TensorProto } from '../../src/onnx/proto.js';

export const FLOAT = 1;
export const INT32 = 6;
export const INT64 = 7;
export const DOUBLE = 11;
export const EXTERNAL = 1;

/** A model computing y = Relu(x + w) for x [N, dims...], with `w` given as any TensorProto. */
export function addModel(
  w: TensorProto,
  opts: { opset?: number; domain?: string; irVersion?: number } = {},
): ModelProto {
  const dims = (w.dims ?? []).map(Number);
  const shape = { dim: [{ dimParam: 'N' }, ...dims.map((d) => ({ dimValue: d }))] };
  return {
    irVersion: opts.irVersion ?? 8,
    producerName: 'hand',
    opsetImport: [{ domain: opts.domain ?? '', version: opts.opset ?? 17 }],
    graph: {
      name: 'add',
      node: [
        { name: 'add', opType: 'Add', input: ['x', w.name ?? 'w'], output: ['s'] },
        { name: 'relu', opType: 'Relu', input: ['s'], output: ['y'] },
      ],
      initializer: [w],
      input: [{ name: 'x', type: { tensorType: { elemType: w.dataType ?? FLOAT, shape } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: w.dataType ?? FLOAT, shape } } }],
    },
  };
}

export function encodeProto(m: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(m as never)).finish();
}

export function decodeProto(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}
