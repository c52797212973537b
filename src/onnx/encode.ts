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

/** The key and length prefix of a length-delimited protobuf field (wire type 2). */
function fieldHeader(field: number, length: number): Uint8Array {
  const out: number[] = [];
  for (let v of [(field << 3) | 2, length]) {
    // Lengths stay below 2^31 here (larger models are written with external data), so `>>>` is exact.
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
  }
  return Uint8Array.from(out);
}

function byteLength(pieces: Uint8Array[]): number {
  let n = 0;
  for (const p of pieces) n += p.length;
  return n;
}

/** One initializer as a GraphProto field: its small header encoded, its payload the tensor's own memory. */
function initializerPieces(t: TensorProto): Uint8Array[] {
  // protobufjs writes fields in id order: dims 1, data_type 2, name 8, then raw_data 9 (nothing after it is set).
  const { rawData, ...rest } = t;
  const raw = rawData ?? new Uint8Array(0);
  const head = [onnx.TensorProto.encode(rest).finish(), fieldHeader(9, raw.length)];
  return [fieldHeader(5, byteLength(head) + raw.length), ...head, raw];
}

/**
 * The ONNX bytes of `g` as pieces whose concatenation is exactly what protobufjs encodes for the whole model, with
 * every initializer's payload a view of the graph's weights: a model is written without ever existing as one
 * buffer (peak memory: the graph, not the graph plus its file). Fields go in protobufjs's id order, so splitting a
 * message around its large field keeps the bytes: ModelProto fields 1–6 | graph (7) | 8, 14; GraphProto node (1),
 * name (2) | initializer (5) | 10–13.
 */
export function encodeModelPieces(g: Graph): Uint8Array[] {
  const { graph, opsetImport, metadataProps, ...head } = graphToModelProto(g, false);
  const { node, name, initializer, ...tail } = graph!;
  const graphPieces = [
    onnx.GraphProto.encode({ node, name }).finish(),
    ...(initializer ?? []).flatMap(initializerPieces),
    onnx.GraphProto.encode(tail).finish(),
  ];
  return [
    onnx.ModelProto.encode(head).finish(),
    fieldHeader(7, byteLength(graphPieces)),
    ...graphPieces,
    onnx.ModelProto.encode({ opsetImport, metadataProps }).finish(),
  ];
}

/** Serialize to ONNX bytes (one buffer; `saveOnnx` writes the pieces instead). */
export function encodeModel(g: Graph): Uint8Array {
  const pieces = encodeModelPieces(g);
  const out = new Uint8Array(byteLength(pieces));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
