import * as path from 'node:path';
import { ReproError } from '../util/errors.js';
import type { Attr, Attrs } from '../ir/attrs.js';
import { Graph, type Dim, type Node, type ValueInfo } from '../ir/graph.js';
import { BYTES_PER_ELEMENT, DTYPE_FROM_ONNX } from '../ir/tensor.js';
import { checkMemory, declaredTensorBytes } from '../util/limits.js';
import { readRegularFile } from '../util/read-file.js';
import { decodeTensor, type DecodeContext } from './decode-tensor.js';
import {
  AttrType,
  longToNumber,
  onnx,
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type ValueInfoProto,
} from './proto.js';

export const MIN_OPSET = 7;
export const MAX_OPSET = 21;
const utf8 = new TextDecoder('utf-8');

/** Read an ONNX file into the IR. Every problem with the file becomes a one-line ReproError naming it. */
export function loadOnnx(file: string): Graph {
  // A regular file only (never a pipe or /dev/zero), read for its size and only if it fits --max-memory.
  const buf = readRegularFile(file, { expected: 'an .onnx file' });
  return decodeModel(buf, { where: file, modelDir: path.dirname(path.resolve(file)) });
}

/** Decode ONNX bytes. `ctx.where` names the source in messages. */
export function decodeModel(bytes: Uint8Array, ctx: DecodeContext = { where: '<memory>' }): Graph {
  if (bytes.length === 0) throw new ReproError(`${ctx.where}: file is empty, expected an ONNX model`);
  let m: ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    if (e instanceof RangeError && /call stack/.test(e.message)) {
      throw new ReproError(
        `${ctx.where}: not a valid ONNX model (messages nested too deeply to decode); the file is corrupt or hostile`,
      );
    }
    throw new ReproError(
      `${ctx.where}: not a valid ONNX model (protobuf decoding failed: ${(e as Error).message.split('\n')[0]}); is the file truncated or not ONNX?`,
    );
  }
  try {
    return modelToGraph(m, ctx);
  } catch (e) {
    if (e instanceof ReproError) throw e;
    throw new ReproError(`${ctx.where}: malformed ONNX model (${(e as Error).message.split('\n')[0]})`);
  }
}

function modelToGraph(m: ModelProto, ctx: DecodeContext): Graph {
  const gp = m.graph;
  if (!gp) throw new ReproError(`${ctx.where}: the model has no graph; is this an ONNX model?`);
  const g = new Graph();
  g.irVersion = longToNumber(m.irVersion, `${ctx.where}: ir_version`);
  if (g.irVersion < 3)
    throw new ReproError(
      `${ctx.where}: ONNX IR version ${g.irVersion} is too old (need >= 3); re-export the model with a recent exporter`,
    );
  let opset: number | undefined;
  for (const o of m.opsetImport ?? []) {
    const v = longToNumber(o.version, `${ctx.where}: opset version`);
    if (!o.domain || o.domain === 'ai.onnx') opset = v;
    else g.extraOpsets.push({ domain: o.domain, version: v });
  }
  if (opset === undefined) throw new ReproError(`${ctx.where}: the model imports no default-domain opset`);
  if (opset < MIN_OPSET || opset > MAX_OPSET)
    throw new ReproError(
      `${ctx.where}: opset ${opset} is not supported (reprune reads opsets ${MIN_OPSET}-${MAX_OPSET}); convert the model with onnx.version_converter`,
    );
  g.opset = opset;
  g.producerName = m.producerName ?? '';
  g.producerVersion = m.producerVersion ?? '';
  g.docString = m.docString ?? '';
  for (const p of m.metadataProps ?? []) if (p.key) g.metadata[p.key] = p.value ?? '';
  g.name = gp.name ?? 'graph';
  // --max-memory: the declared weight sizes (external data included) must fit before any tensor is allocated.
  const sizeOf = (code: number) => (DTYPE_FROM_ONNX[code] ? BYTES_PER_ELEMENT[DTYPE_FROM_ONNX[code]!] : undefined);
  checkMemory(
    (gp.initializer ?? []).reduce((a, t) => a + declaredTensorBytes(t, sizeOf), 0),
    `${ctx.where}: initializers declare`,
  );
  for (const t of gp.initializer ?? []) {
    if (!t.name) throw new ReproError(`${ctx.where}: an initializer has no name`);
    if (g.initializers.has(t.name)) throw new ReproError(`${ctx.where}: initializer '${t.name}' is defined twice`);
    g.initializers.set(t.name, decodeTensor(t, { ...ctx, where: `${ctx.where}: initializer` }));
  }
  if ((gp.sparseInitializer ?? []).length)
    throw new ReproError(`${ctx.where}: sparse initializers are not supported; densify them before loading`);
  // Older exporters also list initializers as graph inputs; those are weights, not feeds.
  g.inputs = (gp.input ?? []).filter((v) => !g.initializers.has(v.name ?? '')).map((v) => valueInfo(v, ctx));
  g.outputs = (gp.output ?? []).map((v) => valueInfo(v, ctx));
  for (const v of gp.valueInfo ?? []) {
    const vi = valueInfo(v, ctx, true);
    if (vi) g.valueInfo.set(vi.name, vi);
  }
  g.nodes = (gp.node ?? []).map((n, i) => decodeNode(n, i, ctx));
  uniqueNodeNames(g);
  return g;
}

function valueInfo(v: ValueInfoProto, ctx: DecodeContext, lenient: true): ValueInfo | undefined;
function valueInfo(v: ValueInfoProto, ctx: DecodeContext): ValueInfo;
function valueInfo(v: ValueInfoProto, ctx: DecodeContext, lenient = false): ValueInfo | undefined {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  const dtype = DTYPE_FROM_ONNX[tt?.elemType ?? 0];
  if (!name || !tt || !dtype) {
    if (lenient) return undefined;
    throw new ReproError(
      `${ctx.where}: graph input/output '${name}' is not a tensor of a supported type (float32/int64/...)`,
    );
  }
  const vi: ValueInfo = { name, dtype };
  if (tt.shape) {
    vi.shape = (tt.shape.dim ?? []).map((d, i): Dim => {
      if (d.dimParam) return d.dimParam;
      if (d.dimValue !== undefined && d.dimValue !== null) {
        const n = longToNumber(d.dimValue, `${ctx.where}: value '${name}' dim ${i}`);
        if (n < 0) throw new ReproError(`${ctx.where}: value '${name}' has negative dimension ${n}`);
        return n;
      }
      return `${name}_d${i}`;
    });
  }
  return vi;
}

/**
 * ONNX only recommends unique node names, and exporters leave them empty or repeat them; reprune addresses
 * nodes by name, so unnamed nodes get `<OpType>_<index>` and repeats get a suffix (values are untouched).
 */
function uniqueNodeNames(g: Graph): void {
  const taken = new Set(g.nodes.map((n) => n.name).filter(Boolean));
  const seen = new Set<string>();
  g.nodes.forEach((n, i) => {
    if (n.name && !seen.has(n.name)) {
      seen.add(n.name);
      return;
    }
    const base = n.name || `${n.opType}_${i}`;
    let name = base;
    for (let k = 1; taken.has(name) || seen.has(name); k++) name = `${base}_${k}`;
    n.name = name;
    taken.add(name);
    seen.add(name);
  });
}

function decodeNode(n: NodeProto, i: number, ctx: DecodeContext): Node {
  const name = n.name ?? '';
  const label = name ? `node '${name}'` : `node #${i}`;
  if (!n.opType) throw new ReproError(`${ctx.where}: ${label} has no op type`);
  const attrs: Attrs = {};
  for (const a of n.attribute ?? []) {
    // '__proto__' would replace the prototype of the attribute map instead of adding an entry.
    if (!a.name || a.name === '__proto__')
      throw new ReproError(
        `${ctx.where}: ${label} (${n.opType}) has an attribute with an invalid name '${a.name ?? ''}'`,
      );
    if (Object.hasOwn(attrs, a.name))
      throw new ReproError(`${ctx.where}: ${label} (${n.opType}) has attribute '${a.name}' twice`);
    attrs[a.name] = decodeAttr(a, { ...ctx, where: `${ctx.where}: ${label} (${n.opType}) attribute '${a.name}'` });
  }
  const node: Node = { name, opType: n.opType, inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attrs };
  if (n.domain && n.domain !== 'ai.onnx') node.domain = n.domain;
  if (n.docString) node.docString = n.docString;
  return node;
}

function decodeAttr(a: AttributeProto, ctx: DecodeContext): Attr {
  switch (a.type) {
    case AttrType.INT:
      return { kind: 'int', value: longToNumber(a.i, ctx.where) };
    case AttrType.FLOAT:
      return { kind: 'float', value: a.f ?? 0 };
    case AttrType.STRING:
      return { kind: 'string', value: utf8.decode(a.s ?? new Uint8Array()) };
    case AttrType.INTS:
      return { kind: 'ints', value: (a.ints ?? []).map((x) => longToNumber(x, ctx.where)) };
    case AttrType.FLOATS:
      return { kind: 'floats', value: [...(a.floats ?? [])] };
    case AttrType.STRINGS:
      return { kind: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    case AttrType.TENSOR:
      if (!a.t) throw new ReproError(`${ctx.where}: tensor attribute without a tensor`);
      return { kind: 'tensor', value: decodeTensor(a.t, ctx) };
    default:
      throw new ReproError(
        `${ctx.where}: attribute type ${a.type ?? 'unset'} is not supported (subgraphs and sparse tensors are not handled)`,
      );
  }
}
