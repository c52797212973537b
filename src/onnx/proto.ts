/** The ONNX protobuf classes (generated code shipped by `onnx-proto`). */
import onnxProto from 'onnx-proto';
import { ReproError } from '../util/errors.js';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.IModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** protobufjs gives int64 fields as Long objects (or numbers); convert, refusing values past 2^53 (`what` names the field for the message). */
export function longToNumber(v: unknown, what: string): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v && 'toNumber' in v) {
    const n = (v as { toNumber(): number }).toNumber();
    if (!Number.isSafeInteger(n))
      throw new ReproError(`${what} = ${String(v)} is out of range (beyond 2^53); the file is corrupt`);
    return n;
  }
  return Number(v);
}

export const AttrType = onnx.AttributeProto.AttributeType;
