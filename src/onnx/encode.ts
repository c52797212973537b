import type { Attr } from '../ir/attrs.js';
import type { Graph, ValueInfo } from '../ir/graph.js';
import { ONNX_DTYPE, type Tensor } from '../ir/tensor.js';
import {
  AttrType,
  onnx,
  type AttributeProto,
  type ModelProto,
  type TensorProto,
  type ValueInfoProto,
} from './proto.js';

const utf8 = new TextEncoder();

/**
 * raw_data is little-endian, as our typed arrays are on every platform Node supports. With `copy = false` the
 * proto aliases the tensor's memory: fine for immediate serialization, and it halves peak memory on big models.
 */
export function tensorToProto(t: Tensor, name = '', copy = true): TensorProto {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name, dataType: ONNX_DTYPE[t.dtype], dims: [...t.dims], rawData: copy ? bytes.slice() : bytes };
}

function valueInfoToProto(v: ValueInfo): ValueInfoProto {
  const tensorType: NonNullable<NonNullable<ValueInfoProto['type']>['tensorType']> = { elemType: ONNX_DTYPE[v.dtype] };
  if (v.shape)
    tensorType.shape = { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name: v.name, type: { tensorType } };
}

function attrToProto(name: string, a: Attr, copy: boolean): AttributeProto {
  switch (a.kind) {
    case 'int':
      return { name, type: AttrType.INT, i: a.value };
    case 'float':
      return { name, type: AttrType.FLOAT, f: a.value };
    case 'string':
      return { name, type: AttrType.STRING, s: utf8.encode(a.value) };
    case 'ints':
      return { name, type: AttrType.INTS, ints: [...a.value] };
    case 'floats':
      return { name, type: AttrType.FLOATS, floats: [...a.value] };
    case 'strings':
      return { name, type: AttrType.STRINGS, strings: a.value.map((s) => utf8.encode(s)) };
    case 'tensor':
      return { name, type: AttrType.TENSOR, t: tensorToProto(a.value, '', copy) };
  }
}

/** The ModelProto of `g`; `copy = false` lets tensor payloads alias the graph's weights (see tensorToProto). */
export function graphToModelProto(g: Graph, copy = true): ModelProto {
  const opsetImport = [
    { domain: '', version: g.opset },
    ...g.extraOpsets.map((o) => ({ domain: o.domain, version: o.version })),
  ];
  return {
    irVersion: g.irVersion,
    opsetImport,
    producerName: g.producerName,
    producerVersion: g.producerVersion,
    docString: g.docString || undefined,
    metadataProps: Object.entries(g.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: g.name,
      node: g.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        domain: n.domain ?? '',
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attrs).map(([k, a]) => attrToProto(k, a, copy)),
        docString: n.docString,
      })),
      initializer: [...g.initializers].map(([k, t]) => tensorToProto(t, k, copy)),
      input: g.inputs.map(valueInfoToProto),
      output: g.outputs.map(valueInfoToProto),
      valueInfo: [...g.valueInfo.values()].map(valueInfoToProto),
    },
  };
}

/** Serialize to ONNX bytes. */
export function encodeModel(g: Graph): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(graphToModelProto(g, false) as never)).finish();
}
