import type { Dim, Graph, Node, ValueInfo } from '../graph.js';
import { constantNodeTensor } from '../ops.js';
import { toNumbers, type DType, type Tensor } from '../tensor.js';
import { ReproError } from '../../util/errors.js';
import { nodeError, type OutInfo, type ShapeCtx } from './context.js';
import { formatShape } from './dims.js';
import { MAX_VALUE_ELEMENTS } from './rules/generators.js';
import { SHAPE_RULES, SUPPORTED_OPS } from './registry.js';

export interface InferOptions {
  /** Replace the symbolic leading dim of every graph input by this (a number fixes the batch; a string renames it). */
  batch?: number | string;
  /**
   * Refuse ops without a shape rule (ReproError naming the first). By default such an op is *opaque*: its outputs
   * keep the shapes recorded in `g.valueInfo` (from the file, or learned from ONNX Runtime by the runtime layer's
   * `completeShapes`), and without one they and everything computed from them stay unknown.
   */
  strict?: boolean;
}

export interface InferResult {
  /** Known contents of small integer values (shape arithmetic), by value name; entries may be symbolic. */
  values: Map<string, Dim[]>;
  /** Tensors of values that are constant without evaluation (initializers and Constant nodes). */
  constants: Map<string, Tensor>;
  /** dtype and shape of every value inference reached. */
  types: Map<string, { dtype: DType; shape: Dim[] }>;
  /** Nodes without a shape rule (unknown ops, custom domains), in graph order. */
  opaque: Node[];
  /** Values left without a shape: outputs of opaque nodes with no recorded shape, and what is computed from them. */
  unknown: Set<string>;
}

function isDefaultDomain(n: Node): boolean {
  return !n.domain || n.domain === 'ai.onnx';
}

export function unsupportedError(g: Graph, n: Node): ReproError {
  const op = isDefaultDomain(n) ? n.opType : `${n.domain}.${n.opType}`;
  return new ReproError(
    `node '${n.name}' (${op}, opset ${g.opset}) is not supported by reprune; supported ops: ${SUPPORTED_OPS.join(', ')}`,
  );
}

/** True when reprune has a shape rule for the node's op (default domain only). */
export function hasShapeRule(n: Node): boolean {
  return isDefaultDomain(n) && !!SHAPE_RULES[n.opType];
}

/** Throw a ReproError for the first node whose op reprune cannot handle (only `strict` inference refuses them). */
export function checkSupported(g: Graph): void {
  for (const n of g.nodes) if (!hasShapeRule(n)) throw unsupportedError(g, n);
}

/** `domain.Op` for custom domains, `Op` for the default one: how messages name an op. */
export function opName(n: Node): string {
  return isDefaultDomain(n) ? n.opType : `${n.domain}.${n.opType}`;
}

/** Types whose small values are tracked: integers, and booleans as 0/1 (PyTorch's expand(n, -1, -1) goes through Equal → Where). */
function isIntType(d: DType): boolean {
  return d === 'int64' || d === 'int32' || d === 'bool';
}

type TypeInfo = { dtype: DType; shape: Dim[] };

/** What one inference pass knows so far, filled in node order. */
interface InferState {
  g: Graph;
  /** Shapes recorded before this run (what opaque nodes' outputs fall back to), with renamed input symbols applied. */
  recorded: Map<string, ValueInfo>;
  opaque: Node[];
  unknown: Set<string>;
  /** Used by constant folding: unsupported ops, unshaped inputs and failing rules leave values unknown. */
  lenient: boolean;
  infos: Map<string, TypeInfo>;
  values: Map<string, Dim[]>;
  constants: Map<string, Tensor>;
  valueInfo: Map<string, ValueInfo>;
  /** A new symbolic dim name, distinct from the inputs' symbols. */
  fresh: () => string;
}

/** Shape inference with propagation of small integer values (what makes PyTorch's Shape→Gather→Concat→Reshape static). */
export function inferShapesDetailed(g: Graph, opts: InferOptions & { lenient?: boolean } = {}): InferResult {
  // lenient (used by constant folding): unsupported ops, unshaped inputs and failing rules leave values unknown.
  const lenient = opts.lenient === true;
  if (opts.strict) checkSupported(g);
  g.topoSort();
  const infos = new Map<string, TypeInfo>();
  const values = new Map<string, Dim[]>();
  const constants = new Map<string, Tensor>();
  const renamed = seedInputs(g, infos, lenient, opts.batch);
  const recorded = recordedShapes(g, renamed);
  for (const [k, t] of g.initializers) {
    infos.set(k, { dtype: t.dtype, shape: [...t.dims] });
    constants.set(k, t);
    if (isIntType(t.dtype) && t.data.length <= MAX_VALUE_ELEMENTS) values.set(k, toNumbers(t));
  }
  // Symbols are collected after the batch rename, so fresh names never clash with the renamed batch dim either.
  const fresh = freshSymbols(g);
  const st: InferState = {
    g,
    recorded,
    opaque: [],
    unknown: new Set(),
    lenient,
    infos,
    values,
    constants,
    valueInfo: new Map(),
    fresh,
  };
  for (const node of g.nodes) inferNode(st, node);
  g.valueInfo = st.valueInfo;
  for (const o of g.outputs) {
    const v = infos.get(o.name);
    if (v) {
      o.dtype = v.dtype;
      o.shape = [...v.shape];
    }
  }
  return { values, constants, types: infos, opaque: st.opaque, unknown: st.unknown };
}

/** `g.valueInfo` with every input symbol that `seedInputs` replaced (the batch) replaced the same way. */
function recordedShapes(g: Graph, renamed: Map<string, Dim>): Map<string, ValueInfo> {
  if (renamed.size === 0) return g.valueInfo;
  const out = new Map<string, ValueInfo>();
  for (const [k, v] of g.valueInfo)
    out.set(k, v.shape ? { ...v, shape: v.shape.map((d) => (typeof d === 'string' ? (renamed.get(d) ?? d) : d)) } : v);
  return out;
}

/** Types of the graph inputs, with the symbolic batch dim replaced by `batch` when given; returns the replacements. */
function seedInputs(
  g: Graph,
  infos: Map<string, TypeInfo>,
  lenient: boolean,
  batch: number | string | undefined,
): Map<string, Dim> {
  const renamed = new Map<string, Dim>();
  for (const v of g.inputs) {
    if (!v.shape) {
      if (lenient) continue;
      throw new ReproError(
        `graph input '${v.name}' has no shape; reprune needs the rank and non-batch dims of every input`,
      );
    }
    if (batch !== undefined && v.shape.length > 0 && typeof v.shape[0] === 'string') {
      renamed.set(v.shape[0], batch);
      v.shape[0] = batch;
    }
    infos.set(v.name, { dtype: v.dtype, shape: [...v.shape] });
  }
  return renamed;
}

/** Generator of fresh symbolic dims `unk_<n>`, skipping names the graph inputs already use. */
function freshSymbols(g: Graph): () => string {
  let freshCount = 0;
  const symbols = new Set<string>();
  for (const v of g.inputs) for (const d of v.shape ?? []) if (typeof d === 'string') symbols.add(d);
  return () => {
    let s: string;
    do s = `unk_${++freshCount}`;
    while (symbols.has(s));
    return s;
  };
}

/** Records a Constant's tensor, then runs the node's shape rule and records its outputs. */
function inferNode(st: InferState, node: Node): void {
  const { lenient, infos } = st;
  if (node.opType === 'Constant' && node.outputs[0]) {
    try {
      st.constants.set(node.outputs[0], constantNodeTensor(node));
    } catch (e) {
      if (!lenient) throw e;
    }
  }
  const rule = isDefaultDomain(node) ? SHAPE_RULES[node.opType] : undefined;
  if (!rule) {
    inferOpaque(st, node);
    return;
  }
  if (node.inputs.some((i) => i && st.unknown.has(i))) {
    for (const o of node.outputs) if (o) st.unknown.add(o);
    return;
  }
  if (lenient && node.inputs.some((i) => i && !infos.has(i))) return;
  const ctx = shapeCtx(st, node);
  let outs: OutInfo[];
  try {
    outs = rule(ctx);
  } catch (e) {
    if (lenient) return;
    if (e instanceof ReproError) throw e;
    throw nodeError(node, (e as Error).message);
  }
  recordOutputs(st, node, outs);
}

/** A node without a shape rule: its outputs take their recorded shapes, or stay unknown (and so does what follows). */
function inferOpaque(st: InferState, node: Node): void {
  st.opaque.push(node);
  for (const o of node.outputs) {
    if (!o) continue;
    const v = st.recorded.get(o);
    if (!v?.shape) {
      st.unknown.add(o);
      continue;
    }
    st.infos.set(o, { dtype: v.dtype, shape: [...v.shape] });
    st.valueInfo.set(o, { name: o, dtype: v.dtype, shape: [...v.shape] });
  }
}

/** The view of the inferred state a shape rule gets for `node`: its inputs' shapes, dtypes and known contents. */
function shapeCtx(st: InferState, node: Node): ShapeCtx {
  const { infos, values, constants } = st;
  let numInputs = node.inputs.length;
  while (numInputs > 0 && !node.inputs[numInputs - 1]) numInputs--;
  const info = (i: number) => {
    const name = node.inputs[i];
    if (!name) throw nodeError(node, `input ${i} is required`);
    const v = infos.get(name);
    if (!v) throw nodeError(node, `input '${name}' has unknown shape`);
    return v;
  };
  return {
    node,
    opset: st.g.opset,
    numInputs,
    has: (i) => !!node.inputs[i],
    shape: (i) => info(i).shape,
    dtype: (i) => info(i).dtype,
    value: (i) => (node.inputs[i] && isIntType(info(i).dtype) ? values.get(node.inputs[i]!) : undefined),
    numbers: (i) => {
      const name = node.inputs[i];
      if (!name) return undefined;
      const v = isIntType(info(i).dtype) ? values.get(name) : undefined;
      if (v) return v.every((d) => typeof d === 'number') ? (v as number[]) : undefined;
      const t = constants.get(name);
      return t && t.data.length <= MAX_VALUE_ELEMENTS ? toNumbers(t) : undefined;
    },
    tensor: (i) => (node.inputs[i] ? constants.get(node.inputs[i]!) : undefined),
    fresh: st.fresh,
    fail: (msg) => {
      throw nodeError(node, msg);
    },
  };
}

/** Stores each output's type (and small known contents); a missing or invalid shape is an error unless lenient. */
function recordOutputs(st: InferState, node: Node, outs: OutInfo[]): void {
  node.outputs.forEach((o, k) => {
    if (!o) return;
    const out = outs[k];
    if (!out) {
      if (st.lenient) return;
      throw nodeError(node, `has ${node.outputs.length} outputs, reprune knows shapes for ${outs.length}`);
    }
    if (out.shape.some((d) => typeof d === 'number' && (d < 0 || !Number.isInteger(d)))) {
      if (st.lenient) return;
      throw nodeError(
        node,
        `inferred an invalid output shape ${formatShape(out.shape)}; check the node's attributes and inputs`,
      );
    }
    st.infos.set(o, { dtype: out.dtype, shape: out.shape });
    if (out.value && out.value.length <= MAX_VALUE_ELEMENTS) st.values.set(o, out.value);
    st.valueInfo.set(o, { name: o, dtype: out.dtype, shape: [...out.shape] });
  });
}
