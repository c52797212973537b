import { ReproError } from '../util/errors.js';
import type { Attrs } from './attrs.js';
import { checkStructure, producerMap, topoOrder } from './graph-order.js';
import type { GraphIndex, Node, OpsetImport, ValueInfo } from './node.js';
import { cloneTensor, type Tensor } from './tensor.js';
import { VersionedMap } from './versioned-map.js';

export type { Dim, GraphIndex, Node, OpsetImport, ValueInfo } from './node.js';

/** What the name cache was built from; a change in any of these rebuilds it. */
interface NameSnapshot {
  nodes: Node[];
  nodeCount: number;
  inputCount: number;
  initVersion: number;
}

/**
 * An ONNX model held in memory: the graph plus the model-level fields we round-trip.
 * Initializers are not listed in `inputs`; `inputs` are the values a caller feeds.
 */
export class Graph {
  name = 'reprune';
  nodes: Node[] = [];
  inputs: ValueInfo[] = [];
  outputs: ValueInfo[] = [];
  initializers: Map<string, Tensor> = new VersionedMap<string, Tensor>();
  /** Shapes of intermediate values (from import or shape inference). */
  valueInfo = new Map<string, ValueInfo>();
  opset = 17;
  irVersion = 8;
  /** Opsets of non-default domains, kept verbatim. */
  extraOpsets: OpsetImport[] = [];
  producerName = 'reprune';
  producerVersion = '';
  docString = '';
  metadata: Record<string, string> = {};
  private nameCounter = 0;
  /** Every value and node name in use, kept up to date by `add`/`addInitializer` (O(1) fresh names). */
  private names?: Set<string>;
  private namesOf?: NameSnapshot;

  /** Producer and consumer maps; recompute after mutating `nodes`. */
  index(): GraphIndex {
    const producer = producerMap(this.nodes);
    const consumers = new Map<string, Node[]>();
    for (const n of this.nodes) {
      for (const i of n.inputs) {
        if (!i) continue;
        const list = consumers.get(i);
        if (!list) consumers.set(i, [n]);
        else if (!list.includes(n)) list.push(n);
      }
    }
    return { producer, consumers };
  }

  isInitializer(name: string): boolean {
    return this.initializers.has(name);
  }

  isGraphInput(name: string): boolean {
    return this.inputs.some((v) => v.name === name);
  }

  isGraphOutput(name: string): boolean {
    return this.outputs.some((v) => v.name === name);
  }

  /** Every value name in use (inputs, initializers, node outputs). */
  valueNames(): Set<string> {
    const s = new Set<string>(this.initializers.keys());
    for (const v of this.inputs) s.add(v.name);
    for (const n of this.nodes) for (const o of n.outputs) if (o) s.add(o);
    return s;
  }

  private snapshot(): NameSnapshot {
    const version = (this.initializers as VersionedMap<string, Tensor>).version ?? -1;
    return { nodes: this.nodes, nodeCount: this.nodes.length, inputCount: this.inputs.length, initVersion: version };
  }

  /**
   * The names in use, rebuilt only when the graph changed behind the cache's back (nodes replaced, pushed or
   * removed, inputs or initializers added or deleted). A node renamed in place is not seen: call `invalidateNames`.
   */
  private takenNames(): Set<string> {
    const s = this.namesOf,
      now = this.snapshot();
    const fresh =
      s &&
      s.nodes === now.nodes &&
      s.nodeCount === now.nodeCount &&
      s.inputCount === now.inputCount &&
      s.initVersion === now.initVersion;
    if (!this.names || !fresh) {
      this.names = this.valueNames();
      for (const n of this.nodes) this.names.add(n.name);
    }
    this.namesOf = now;
    return this.names;
  }

  /** Forget the cached names (after renaming nodes or values in place to names that are new). */
  invalidateNames(): void {
    this.names = undefined;
  }

  /** A fresh value or node name starting with `base` (reserved at once, so the next call gets another). */
  uniqueName(base: string, taken?: Set<string>): string {
    const used = taken ?? this.takenNames();
    if (!used.has(base)) {
      used.add(base);
      return base;
    }
    for (;;) {
      const name = `${base}_${++this.nameCounter}`;
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
  }

  addInitializer(base: string, t: Tensor, exactName = false): string {
    const name = exactName ? base : this.uniqueName(base);
    const fresh =
      this.names && this.namesOf?.initVersion === (this.initializers as VersionedMap<string, Tensor>).version;
    this.initializers.set(name, t);
    if (fresh) {
      this.names!.add(name);
      this.namesOf = this.snapshot();
    }
    return name;
  }

  /**
   * Append a node; returns its output names (fresh unless given).
   * `g.add('Relu', [x])[0]`, or `g.add('Conv', [x, w], { group: A.int(2) }, { name: 'conv1' })`.
   */
  add(
    opType: string,
    inputs: string[],
    attrs: Attrs = {},
    opts: { name?: string; outputs?: string[] | number; domain?: string } = {},
  ): string[] {
    const taken = this.takenNames();
    const name = this.uniqueName(opts.name ?? opType.toLowerCase(), taken);
    const outs = Array.isArray(opts.outputs)
      ? opts.outputs
      : Array.from({ length: opts.outputs ?? 1 }, (_, i) =>
          this.uniqueName(i === 0 ? `${name}_out` : `${name}_out${i}`, taken),
        );
    const node: Node = { name, opType, inputs: [...inputs], outputs: [...outs], attrs };
    if (opts.domain) node.domain = opts.domain;
    this.nodes.push(node);
    // Given output names were not reserved above; the pushed node changes the snapshot either way.
    for (const o of outs) taken.add(o);
    this.namesOf = this.snapshot();
    return outs;
  }

  /** Sort nodes so every producer precedes its consumers. Throws naming a node on a cycle. */
  topoSort(): void {
    this.nodes = topoOrder(this);
  }

  /** Structural checks; throws a ReproError naming the first problem. Also sorts the nodes. */
  validate(): void {
    checkStructure(this);
    this.topoSort();
  }

  /** Remove nodes and initializers that do not contribute to any graph output. */
  removeUnused(): void {
    const { producer } = this.index();
    const needed = new Set<string>();
    const live = new Set<Node>();
    const stack = this.outputs.map((o) => o.name);
    while (stack.length) {
      const v = stack.pop()!;
      if (needed.has(v)) continue;
      needed.add(v);
      const p = producer.get(v);
      if (p && !live.has(p)) {
        live.add(p);
        for (const i of p.inputs) if (i) stack.push(i);
      }
    }
    this.nodes = this.nodes.filter((n) => live.has(n));
    for (const k of [...this.initializers.keys()]) if (!needed.has(k)) this.initializers.delete(k);
    for (const k of [...this.valueInfo.keys()]) if (!needed.has(k)) this.valueInfo.delete(k);
  }

  /** Deep copy. Initializer data is copied unless `shareWeights` (cheap clones for passes that only rewire). */
  clone(shareWeights = false): Graph {
    const g = new Graph();
    g.name = this.name;
    g.nodes = this.nodes.map((n) => ({
      ...n,
      inputs: [...n.inputs],
      outputs: [...n.outputs],
      attrs: Object.fromEntries(Object.entries(n.attrs).map(([k, a]) => [k, cloneAttr(a)])) as Attrs,
    }));
    g.inputs = this.inputs.map(cloneValueInfo);
    g.outputs = this.outputs.map(cloneValueInfo);
    for (const [k, t] of this.initializers) g.initializers.set(k, shareWeights ? t : cloneTensor(t));
    for (const [k, v] of this.valueInfo) g.valueInfo.set(k, cloneValueInfo(v));
    g.opset = this.opset;
    g.irVersion = this.irVersion;
    g.extraOpsets = this.extraOpsets.map((o) => ({ ...o }));
    g.producerName = this.producerName;
    g.producerVersion = this.producerVersion;
    g.docString = this.docString;
    g.metadata = { ...this.metadata };
    return g;
  }
}

function cloneValueInfo(v: ValueInfo): ValueInfo {
  return v.shape ? { ...v, shape: [...v.shape] } : { ...v };
}

function cloneAttr(a: Attrs[string]): Attrs[string] {
  switch (a.kind) {
    case 'ints':
    case 'floats':
    case 'strings':
      return { kind: a.kind, value: [...a.value] } as Attrs[string];
    case 'tensor':
      return { kind: 'tensor', value: cloneTensor(a.value) };
    default:
      return { ...a };
  }
}

/** Weight tensor of an initializer, or a ReproError naming the node that needed it. */
export function requireInitializer(g: Graph, name: string, node: Node): Tensor {
  const t = g.initializers.get(name);
  if (!t) throw new ReproError(`node '${node.name}' (${node.opType}): input '${name}' must be a constant initializer`);
  return t;
}
