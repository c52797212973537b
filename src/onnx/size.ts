/**
 * The exact size of `encodeModel(g)` without serializing the weights. Tensor payloads (`raw_data`) are nearly all
 * of a model's bytes, so we encode a skeleton in which every payload is empty and add back, per payload, its
 * bytes and the growth of every length prefix around it: TensorProto → GraphProto (initializers), or
 * TensorProto → AttributeProto → NodeProto → GraphProto (tensor attributes), and finally GraphProto → ModelProto.
 * A length-delimited field is `tag, varint(length), body`, so a body growing from n0 to n bytes grows its field by
 * (n + varintSize(n)) - (n0 + varintSize(n0)).
 */
import type { Graph } from '../ir/graph.js';
import { graphToModelProto } from './encode.js';
import { onnx, type AttributeProto, type NodeProto, type TensorProto } from './proto.js';

const EMPTY = new Uint8Array(0);
/** ModelProto.graph is field 7, wire type 2: a one-byte tag. */
const GRAPH_TAG_BYTES = 1;

/** `encodeModel(g).length`, computed by encoding only the model's structure (payloads are counted, not copied). */
export function encodedSize(g: Graph): number {
  const { graph, ...rest } = graphToModelProto(g, false);
  const graphProto = graph!;
  // Strip payloads first (the protos alias the weights, so this neither copies nor touches `g`).
  const initializerPayloads = (graphProto.initializer ?? []).map(stripPayload);
  const nodeTensors = (graphProto.node ?? []).map(stripNodePayloads);
  let graphBytes = onnx.GraphProto.encode(graphProto).finish().length;
  (graphProto.initializer ?? []).forEach((t, i) => {
    graphBytes += fieldGrowth(tensorSize(t), initializerPayloads[i]!);
  });
  (graphProto.node ?? []).forEach((n, i) => {
    if (nodeTensors[i]!.length) graphBytes += nodeGrowth(n, nodeTensors[i]!);
  });
  const modelWithoutGraph = onnx.ModelProto.encode(onnx.ModelProto.create(rest as never)).finish().length;
  return modelWithoutGraph + GRAPH_TAG_BYTES + varintSize(graphBytes) + graphBytes;
}

/** Bytes a protobuf varint takes for `n` (n < 2^53; no bit operators, which would truncate to 32 bits). */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** How much a length-delimited field grows when its body grows from `before` to `before + delta` bytes. */
function fieldGrowth(before: number, delta: number): number {
  const after = before + delta;
  return after + varintSize(after) - (before + varintSize(before));
}

/** Empty a tensor's raw_data; returns how much its encoding shrank (the payload and the growth of its prefix). */
function stripPayload(t: TensorProto): number {
  const payload = t.rawData?.length ?? 0;
  t.rawData = EMPTY;
  return payload + varintSize(payload) - varintSize(0);
}

interface StrippedAttr {
  attr: AttributeProto;
  delta: number;
}

function stripNodePayloads(n: NodeProto): StrippedAttr[] {
  return (n.attribute ?? []).filter((a) => a.t).map((attr) => ({ attr, delta: stripPayload(attr.t!) }));
}

/** Growth of a node's GraphProto field once its tensor attributes get their payloads back. */
function nodeGrowth(n: NodeProto, attrs: StrippedAttr[]): number {
  let nodeDelta = 0;
  for (const { attr, delta } of attrs) {
    const attrDelta = fieldGrowth(tensorSize(attr.t!), delta);
    nodeDelta += fieldGrowth(onnx.AttributeProto.encode(attr).finish().length, attrDelta);
  }
  return fieldGrowth(onnx.NodeProto.encode(n).finish().length, nodeDelta);
}

function tensorSize(t: TensorProto): number {
  return onnx.TensorProto.encode(t).finish().length;
}
