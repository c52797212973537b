/**
 * A content hash of a graph, for caches keyed by "the same model" (ORT sessions). It covers every field that
 * `encodeModel` writes, so two graphs with the same fingerprint serialize to the same ONNX bytes — but it is
 * computed without building protobuf objects: the structure is hashed as small JSON records and tensor payloads
 * are hashed straight from the typed arrays' memory (no copies).
 *
 * The stream of records is unambiguous: every JSON record is self-delimiting, and every payload's byte length is
 * written in the record just before it.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Graph, Node, ValueInfo } from './graph.js';
import type { Tensor } from './tensor.js';

/** Bump when the canonical description changes, so old and new fingerprints never collide. */
const FORMAT = 'reprune-graph-fingerprint-v1';

/** SHA-256 (hex) over the canonical description of `g`: opsets, I/O and value info, nodes, initializers, metadata. */
export function graphFingerprint(g: Graph): string {
  const h = createHash('sha256');
  record(h, [FORMAT, g.name, g.opset, g.irVersion, g.extraOpsets.map((o) => [o.domain, o.version])]);
  record(h, [g.producerName, g.producerVersion, g.docString, Object.entries(g.metadata)]);
  record(h, [g.inputs.map(valueInfo), g.outputs.map(valueInfo), [...g.valueInfo.values()].map(valueInfo)]);
  record(h, ['nodes', g.nodes.length]);
  for (const n of g.nodes) hashNode(h, n);
  record(h, ['initializers', g.initializers.size]);
  for (const [name, t] of g.initializers) hashTensor(h, name, t);
  return h.digest('hex');
}

function valueInfo(v: ValueInfo): unknown[] {
  // `null` (not absent) for an unknown rank, so [] (a scalar) and "no shape" differ.
  return [v.name, v.dtype, v.shape ?? null];
}

function hashNode(h: Hash, n: Node): void {
  const attrs = Object.entries(n.attrs);
  // Tensor attributes are listed by name and kind here; their payloads follow in attribute order.
  const plain = attrs.map(([k, a]) => (a.kind === 'tensor' ? [k, a.kind] : [k, a.kind, a.value]));
  record(h, [n.name, n.opType, n.domain ?? '', n.inputs, n.outputs, n.docString ?? null, plain]);
  for (const [k, a] of attrs) if (a.kind === 'tensor') hashTensor(h, k, a.value);
}

/** Header record (name, dtype, dims, byte length), then the raw bytes, read in place. */
function hashTensor(h: Hash, name: string, t: Tensor): void {
  record(h, [name, t.dtype, t.dims, t.data.byteLength]);
  h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function record(h: Hash, value: unknown): void {
  h.update(JSON.stringify(value, exactNumbers));
}

/** JSON writes NaN and ±Infinity as null and -0 as 0; float attributes must keep them apart. */
function exactNumbers(_key: string, v: unknown): unknown {
  if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)))
    return `#${Object.is(v, -0) ? '-0' : String(v)}`;
  return v;
}
