/**
 * Mutations of a valid ONNX file: blind byte-level damage, and structure-aware edits of the decoded
 * protobuf (absurd dims, wrong field types, cycles, duplicate names, dangling inputs, bad external data...).
 * Every mutator is deterministic given the rng, so a failing case is reproduced by its index.
 */
import type { SeededRng } from '../../src/util/random.js';
import { onnx, type AttributeProto, type ModelProto, type NodeProto, type TensorProto } from '../../src/onnx/proto.js';
import { decodeProto, encodeProto } from '../onnx/protos.js';

export type Mutator = (bytes: Uint8Array, rng: SeededRng) => Uint8Array;

/** A real copy: Buffer#slice (what protobufjs hands out under Node) returns a view. */
const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);
const pick = <T>(rng: SeededRng, a: readonly T[]): T => a[rng.int(a.length)]!;

/** A position biased to the structural head and tail of the file (weights sit in the middle of big models). */
function position(rng: SeededRng, n: number): number {
  const r = rng.next();
  if (r < 0.35) return rng.int(Math.min(n, 2048));
  if (r < 0.7) return n - 1 - rng.int(Math.min(n, 2048));
  return rng.int(n);
}

const ABSURD = [-1, -(2 ** 31), 0, 2 ** 31, 2 ** 32 + 1, 2 ** 40, 2 ** 53 - 1, 1e9, 3e10, 65536 * 65536];
const ABSURD_BIG = ['9223372036854775807', '-9223372036854775808', '4611686018427387904'];
const absurd = (rng: SeededRng): number | string => (rng.next() < 0.8 ? pick(rng, ABSURD) : pick(rng, ABSURD_BIG));

// ---- byte level ----------------------------------------------------------------------------------
const flip: Mutator = (b, rng) => {
  const out = copy(b);
  const k = 1 + rng.int(8);
  for (let i = 0; i < k; i++) out[position(rng, out.length)] ^= 1 << rng.int(8);
  return out;
};
const special: Mutator = (b, rng) => {
  const out = copy(b);
  const k = 1 + rng.int(4);
  for (let i = 0; i < k; i++)
    out[position(rng, out.length)] = pick(rng, [0x00, 0xff, 0x80, 0x7f, 0x08, 0x12, 0x1a, 0x22]);
  return out;
};
/** Wire type of one byte replaced: what protobuf sees when a field has the wrong type. */
const wireType: Mutator = (b, rng) => {
  const out = copy(b);
  const p = position(rng, out.length);
  out[p] = (out[p]! & ~7) | pick(rng, [0, 1, 2, 5, 3, 4, 6, 7]);
  return out;
};
const truncate: Mutator = (b, rng) =>
  copy(b).slice(0, rng.next() < 0.5 ? rng.int(b.length) : b.length - 1 - rng.int(Math.min(b.length - 1, 64)));
const insertJunk: Mutator = (b, rng) => {
  const p = position(rng, b.length);
  const junk = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
  return Uint8Array.from([...b.subarray(0, p), ...junk, ...b.subarray(p)]);
};
const deleteBytes: Mutator = (b, rng) => {
  const p = position(rng, b.length);
  return Uint8Array.from([...b.subarray(0, p), ...b.subarray(Math.min(b.length, p + 1 + rng.int(16)))]);
};
/** A varint that never ends (all continuation bits), or a length prefix far beyond the file. */
const hugeLength: Mutator = (b, rng) => {
  const p = position(rng, b.length);
  const junk = rng.next() < 0.5 ? new Array(12).fill(0xff) : [0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f];
  return Uint8Array.from([...b.subarray(0, p), ...junk, ...b.subarray(p)]);
};

// ---- structure level -----------------------------------------------------------------------------
type Edit = (m: ModelProto, rng: SeededRng) => void;

function structural(edit: Edit): Mutator {
  return (b, rng) => {
    const m = decodeProto(b);
    edit(m, rng);
    return encodeProto(m);
  };
}

// Mutators edit these lists in place, so a missing list is created on the graph first.
const nodes = (m: ModelProto): NodeProto[] => {
  m.graph!.node ??= [];
  return m.graph!.node;
};
const inits = (m: ModelProto): TensorProto[] => {
  m.graph!.initializer ??= [];
  return m.graph!.initializer;
};
const someNode = (m: ModelProto, rng: SeededRng): NodeProto | undefined =>
  nodes(m).length ? pick(rng, nodes(m)) : undefined;
const someInit = (m: ModelProto, rng: SeededRng): TensorProto | undefined =>
  inits(m).length ? pick(rng, inits(m)) : undefined;
const AT = onnx.AttributeProto.AttributeType;

const absurdDims: Edit = (m, rng) => {
  const r = rng.next();
  if (r < 0.4) {
    const t = someInit(m, rng);
    if (t) {
      t.dims = [...(t.dims ?? [])];
      t.dims[rng.int(t.dims.length + 1)] = absurd(rng) as number;
    }
  } else if (r < 0.7) {
    const v = pick(rng, [...(m.graph!.input ?? []), ...(m.graph!.output ?? [])]);
    const dims = v?.type?.tensorType?.shape?.dim;
    if (dims?.length)
      dims[rng.int(dims.length)] = rng.next() < 0.2 ? { dimParam: '' } : { dimValue: absurd(rng) as number };
  } else {
    // An int64 initializer (Reshape shape, Slice ends, Pad pads...) full of absurd values.
    const t = inits(m).find((x) => x.dataType === 7) ?? someInit(m, rng);
    if (t) {
      t.dataType = 7;
      t.rawData = undefined;
      t.dims = [3];
      t.int64Data = [absurd(rng), absurd(rng), absurd(rng)] as number[];
    }
  }
};

const wrongCounts: Edit = (m, rng) => {
  const t = someInit(m, rng);
  if (!t) return;
  const r = rng.next();
  if (r < 0.3)
    t.rawData = (t.rawData ?? new Uint8Array()).slice(0, Math.max(0, (t.rawData?.length ?? 0) - 1 - rng.int(8)));
  else if (r < 0.5) {
    t.rawData = undefined;
    t.floatData = Array.from({ length: rng.int(5) }, () => rng.normal());
  } else if (r < 0.7) {
    t.dims = [0];
  } else if (r < 0.85) {
    t.rawData = new Uint8Array(3);
    t.floatData = [1, 2, 3];
  } else t.dims = [...(t.dims ?? []), 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
};

const wrongTypes: Edit = (m, rng) => {
  const r = rng.next();
  const n = someNode(m, rng);
  const attrs: AttributeProto[] = n?.attribute ?? [];
  if (r < 0.35 && attrs.length) {
    // Declared type disagrees with the payload, or is unknown.
    pick(rng, attrs).type = pick(rng, [
      AT.UNDEFINED,
      AT.FLOAT,
      AT.INT,
      AT.STRING,
      AT.TENSOR,
      AT.GRAPH,
      AT.FLOATS,
      AT.INTS,
      AT.STRINGS,
      AT.TENSORS,
      AT.GRAPHS,
      AT.SPARSE_TENSOR,
      AT.TYPE_PROTO,
      99 as never,
    ]);
  } else if (r < 0.55 && n) {
    // A known attribute with a value of the wrong kind (group as a list, kernel_shape as a float...).
    const name = pick(rng, [
      'group',
      'kernel_shape',
      'strides',
      'pads',
      'axis',
      'perm',
      'transB',
      'epsilon',
      'auto_pad',
      'value',
      'axes',
      'keepdims',
      'to',
      'mode',
    ]);
    const kind = rng.int(5);
    n.attribute ??= [];
    n.attribute.push(
      kind === 0
        ? { name, type: AT.FLOAT, f: 2.5 }
        : kind === 1
          ? { name, type: AT.INTS, ints: [absurd(rng) as number, 3] }
          : kind === 2
            ? { name, type: AT.STRING, s: new TextEncoder().encode('NOT_A_MODE') }
            : kind === 3
              ? { name, type: AT.INT, i: absurd(rng) as number }
              : { name, type: AT.TENSOR, t: { dataType: 7, dims: [2], int64Data: [absurd(rng) as number, -1] } },
    );
  } else if (r < 0.75) {
    const t = someInit(m, rng);
    if (t) t.dataType = pick(rng, [0, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 999, -1]);
  } else {
    const v = pick(rng, [...(m.graph!.input ?? []), ...(m.graph!.output ?? [])]);
    if (v?.type) {
      if (rng.next() < 0.5 && v.type.tensorType) v.type.tensorType.elemType = pick(rng, [0, 7, 8, 10, 999]);
      else v.type = { sequenceType: { elemType: { tensorType: { elemType: 1 } } } };
    }
  }
};

const cycle: Edit = (m, rng) => {
  const ns = nodes(m);
  if (ns.length < 2) return;
  const i = rng.int(ns.length - 1);
  const j = i + 1 + rng.int(ns.length - i - 1);
  const later = ns[j]!.output?.[0];
  if (!later) return;
  const inputs = [...(ns[i]!.input ?? [])];
  inputs[inputs.length ? rng.int(inputs.length) : 0] = rng.next() < 0.2 ? ns[i]!.output![0]! : later;
  ns[i]!.input = inputs;
};

const duplicates: Edit = (m, rng) => {
  const ns = nodes(m);
  const r = rng.next();
  if (r < 0.3 && ns.length >= 2) pick(rng, ns).name = pick(rng, ns).name;
  else if (r < 0.6 && ns.length >= 2) pick(rng, ns).output = [...(pick(rng, ns).output ?? [])];
  else if (r < 0.8 && inits(m).length) inits(m).push({ ...pick(rng, inits(m)) });
  else if (ns.length) {
    // A node output shadowing an initializer or graph input.
    const name = rng.next() < 0.5 && inits(m).length ? pick(rng, inits(m)).name! : (m.graph!.input?.[0]?.name ?? 'x');
    pick(rng, ns).output = [name];
  }
};

const dangling: Edit = (m, rng) => {
  const r = rng.next();
  const n = someNode(m, rng);
  if (r < 0.4 && n) {
    const inputs = [...(n.input ?? [])];
    inputs[inputs.length ? rng.int(inputs.length) : 0] = 'ghost';
    n.input = inputs;
  } else if (r < 0.55) m.graph!.output = [{ name: 'nowhere', type: { tensorType: { elemType: 1 } } }];
  else if (r < 0.7 && n) n.opType = pick(rng, ['', 'If', 'Loop', 'LSTM', 'NonMaxSuppression', 'conv', 'Relu\n']);
  else if (r < 0.8 && n) {
    n.input = [];
    n.output = [];
  } else if (r < 0.9) m.graph!.input = [];
  else if (n) n.domain = pick(rng, ['com.microsoft', 'ai.onnx.ml', 'x']);
};

/** Another supported op put in a node's place: shape rules meet inputs and attributes they did not expect. */
const OPS = [
  'Conv',
  'ConvTranspose',
  'Gemm',
  'MatMul',
  'Add',
  'Relu',
  'BatchNormalization',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Flatten',
  'Reshape',
  'Transpose',
  'Concat',
  'Slice',
  'Pad',
  'Softmax',
  'Squeeze',
  'Unsqueeze',
  'Shape',
  'Gather',
  'ReduceMean',
  'ReduceSum',
  'Clip',
  'Split',
  'Expand',
  'Tile',
  'ConstantOfShape',
  'Range',
  'Where',
  'Einsum',
  'Constant',
  'OneHot',
  'Cast',
  'Identity',
  'Dropout',
  'Size',
  'ArgMax',
];
const swapOp: Edit = (m, rng) => {
  const n = someNode(m, rng);
  if (n) n.opType = pick(rng, OPS);
};

/** Attribute values no real model has: zero or huge kernels/strides, negative pads, axes far out of range. */
const abuseAttrs: Edit = (m, rng) => {
  const n = someNode(m, rng);
  if (!n) return;
  const ints = () =>
    Array.from({ length: rng.int(5) }, () => pick(rng, [0, -1, 1, 2, -100, 100, 2 ** 31 - 1, 2 ** 40]));
  const attr = pick(rng, [
    { name: 'kernel_shape', type: AT.INTS, ints: ints() },
    { name: 'strides', type: AT.INTS, ints: ints() },
    { name: 'pads', type: AT.INTS, ints: ints() },
    { name: 'dilations', type: AT.INTS, ints: ints() },
    { name: 'axis', type: AT.INT, i: pick(rng, [-100, 100, 2 ** 40, -1]) },
    { name: 'axes', type: AT.INTS, ints: ints() },
    { name: 'perm', type: AT.INTS, ints: ints() },
    { name: 'group', type: AT.INT, i: pick(rng, [0, -1, 3, 2 ** 31]) },
    { name: 'output_shape', type: AT.INTS, ints: ints() },
    { name: 'output_padding', type: AT.INTS, ints: ints() },
    { name: 'split', type: AT.INTS, ints: ints() },
    { name: 'to', type: AT.INT, i: pick(rng, [0, 8, 16, 999]) },
    { name: 'value', type: AT.TENSOR, t: { dataType: 7, dims: [2], int64Data: [2 ** 40, 2 ** 40] } },
    { name: 'value', type: AT.TENSOR, t: { dataType: 1, dims: [1e5, 1e5], floatData: [] } },
  ] as AttributeProto[]);
  n.attribute = [...(n.attribute ?? []).filter((a) => a.name !== attr.name), attr];
};

const BAD_LOCATIONS = [
  '../w.bin',
  '../../etc/passwd',
  '/etc/passwd',
  'escape.bin',
  'sub/../../w.bin',
  '..\\w.bin',
  'missing.bin',
  '',
  '.',
  'sub',
  'w.bin\u0000.txt',
  'w.bin',
];
const externalData: Edit = (m, rng) => {
  const t = someInit(m, rng);
  if (!t) return;
  t.rawData = undefined;
  t.floatData = [];
  t.dataLocation = 1;
  const entries = [{ key: 'location', value: pick(rng, BAD_LOCATIONS) }];
  if (rng.next() < 0.5)
    entries.push({ key: 'offset', value: pick(rng, ['0', '-1', '8', '1e30', 'x', '9007199254740993']) });
  if (rng.next() < 0.5) entries.push({ key: 'length', value: pick(rng, ['16', '0', '-16', '4294967296', 'NaN']) });
  t.externalData = entries;
};

const versions: Edit = (m, rng) => {
  if (rng.next() < 0.5)
    m.opsetImport = [
      {
        domain: pick(rng, ['', 'ai.onnx', 'com.microsoft']),
        version: pick(rng, [0, 1, 6, 7, 12, 21, 22, 99, -5, 2 ** 40]),
      },
    ];
  else m.irVersion = pick(rng, [0, 1, 2, 3, 11, 99, -1, 2 ** 40]);
  if (rng.next() < 0.2) m.graph = undefined;
};

/** Names nobody uses: empty, newlines, very long, non-UTF-8. */
const names: Edit = (m, rng) => {
  const n = someNode(m, rng);
  const name = pick(rng, ['', 'a\nb', 'x'.repeat(5000), '\u0000', '\ud800', 'é\r\nerror: fake']);
  if (n && rng.next() < 0.5) n.name = name;
  else if (n?.output?.length) {
    const old = n.output[0]!;
    n.output = [name, ...n.output.slice(1)];
    for (const k of nodes(m)) k.input = (k.input ?? []).map((i) => (i === old ? name : i));
  }
};

export const MUTATORS: Record<string, Mutator> = {
  flip,
  special,
  wireType,
  truncate,
  insertJunk,
  deleteBytes,
  hugeLength,
  absurdDims: structural(absurdDims),
  wrongCounts: structural(wrongCounts),
  wrongTypes: structural(wrongTypes),
  cycle: structural(cycle),
  duplicates: structural(duplicates),
  dangling: structural(dangling),
  swapOp: structural(swapOp),
  abuseAttrs: structural(abuseAttrs),
  externalData: structural(externalData),
  versions: structural(versions),
  names: structural(names),
};
