import type { Dim, Graph, Node } from '../ir/graph.js';
import { inferShapesDetailed } from '../ir/shape/index.js';
import { tensor, allocData } from '../ir/tensor.js';
import { ReproError } from '../util/errors.js';
import { GraphEmitter } from './emitter.js';
import { expandTo } from './prims.js';
import { findRule, NON_DIFFERENTIABLE } from './registry.js';
import type { TrainOptions } from './types.js';

export interface GradientOptions {
  /** Name of the scalar loss value (shape [] or [1]). */
  loss: string;
  /** Parameters to differentiate: initializers (moved to graph inputs) or graph inputs. */
  wrt: string[];
  /** Extra forward values to output (default: the forward graph's outputs, e.g. logits for accuracy). */
  keepOutputs?: string[];
  /** Seed of ORT's Dropout mask generator (default 0). */
  dropoutSeed?: number;
  /** BatchNormalization uses running statistics and is not updated (default false: batch statistics, as PyTorch's train()). */
  frozenBatchNorm?: boolean;
}

export interface GradientGraph {
  /** Forward + backward graph. Inputs: the forward inputs, every `wrt` parameter and `stateInputs`. */
  graph: Graph;
  loss: string;
  /** Parameter name → output name of its gradient. */
  grads: Record<string, string>;
  /** Initializer name → output holding its new value after this step (BatchNorm running mean/var). */
  stateUpdates: Record<string, string>;
  /** Initializers turned into graph inputs because a state update reads them (feed their current values). */
  stateInputs: string[];
}

/**
 * Reverse-mode autodiff over the IR: returns a copy of `g` with the backward pass appended as ONNX nodes, so one
 * ORT session computes loss, gradients and state updates. `g` needs static shapes (inferShapes with a fixed batch).
 */
export function gradientGraph(g: Graph, opts: GradientOptions): GradientGraph {
  const out = forwardCopy(g, opts);
  const options: TrainOptions = { dropoutSeed: opts.dropoutSeed ?? 0, frozenBatchNorm: opts.frozenBatchNorm ?? false };
  const e = new GraphEmitter(out, options, knownIntValues(out));
  out.topoSort();
  const saved = lowerForTraining(out, e, opts.wrt, (v) => !e.hasShape(v) || e.dtype(v).startsWith('float'));
  out.topoSort();
  const forward = out.nodes;

  const isFloat = (v: string) => !e.hasShape(v) || e.dtype(v) === 'float32' || e.dtype(v) === 'float64';
  const path = gradientPath(forward, opts.wrt, opts.loss, isFloat);
  const sums = new GradientSums(e);
  sums.push(opts.loss, lossSeed(e, opts.loss));
  // Backward nodes collect in a fresh sink and are appended after the forward nodes.
  e.sink = [];
  appendBackward(forward, e, sums, saved, path);
  const grads = parameterGrads(out, e, sums, opts);
  out.nodes = [...forward, ...e.sink];
  setOutputs(out, e, grads, opts.keepOutputs ?? g.outputs.map((o) => o.name), opts);
  out.removeUnused();
  out.validate();
  return { graph: out, loss: opts.loss, grads, stateUpdates: { ...e.stateUpdates }, stateInputs: [...e.stateInputs] };
}

/**
 * Integer values whose contents shape inference knows (with the static shapes of a training graph, e.g. the Slice
 * starts or Resize sizes an exporter computes from Shape), inferred on a copy so `g`'s value info stays as given.
 */
function knownIntValues(g: Graph): ReadonlyMap<string, readonly Dim[]> {
  try {
    return inferShapesDetailed(g.clone(true), { lenient: true }).values;
  } catch {
    return new Map();
  }
}

/** A copy of `g` whose `wrt` parameters are graph inputs (initializers are moved), after checking loss and names. */
function forwardCopy(g: Graph, opts: GradientOptions): Graph {
  const out = g.clone(true);
  const producers = out.index().producer;
  if (!producers.has(opts.loss) && !out.isGraphInput(opts.loss)) {
    throw new ReproError(`autodiff: loss '${opts.loss}' is not a value of graph '${g.name}'; add the loss nodes first`);
  }
  for (const p of opts.wrt) {
    const t = out.initializers.get(p);
    if (t) {
      out.initializers.delete(p);
      out.inputs.push({ name: p, dtype: t.dtype, shape: [...t.dims] });
    } else if (!out.isGraphInput(p)) {
      throw new ReproError(`autodiff: parameter '${p}' is neither an initializer nor an input of graph '${g.name}'`);
    }
  }
  return out;
}

/** d loss / d loss: a constant of ones with the loss's shape and dtype, where the backward pass starts. */
function lossSeed(e: GraphEmitter, loss: string): string {
  const lossShape = e.shape(loss);
  const lossDtype = e.dtype(loss);
  const ones = tensor(
    lossDtype,
    lossShape,
    allocData(
      lossDtype,
      lossShape.reduce((a, b) => a * b, 1),
    ).fill(1 as never),
  );
  return e.const(ones, 'grad/seed');
}

/**
 * Gradient contributions per value. A value used by several nodes gets one contribution from each; they are summed
 * (Add, or Sum for more than two) once, when the value's total is first needed, and the sum replaces them.
 */
class GradientSums {
  private readonly parts = new Map<string, string[]>();

  constructor(private readonly e: GraphEmitter) {}

  push(v: string, gv: string): void {
    let l = this.parts.get(v);
    if (!l) {
      l = [];
      this.parts.set(v, l);
    }
    l.push(gv);
  }

  total(v: string): string | undefined {
    const l = this.parts.get(v);
    if (!l || l.length === 0) return undefined;
    if (l.length > 1) {
      const s = this.e.add(l.length === 2 ? 'Add' : 'Sum', l, {}, `grad/${v}`);
      this.e.setShape(s, this.e.shape(v), this.e.dtype(v));
      this.parts.set(v, [s]);
    }
    return this.parts.get(v)![0];
  }
}

/**
 * Walks the forward nodes in reverse and emits each one's backward rule, for the inputs that both depend on a
 * parameter and reach the loss (other gradients are never needed), pushing the input gradients into `sums`.
 */
function appendBackward(
  forward: Node[],
  e: GraphEmitter,
  sums: GradientSums,
  saved: Map<Node, Record<string, string>>,
  { requires, reaches }: { requires: Set<string>; reaches: Set<string> },
): void {
  for (let k = forward.length - 1; k >= 0; k--) {
    const node = forward[k]!;
    if (!node.outputs.some((o) => reaches.has(o) && requires.has(o))) continue;
    const rule = findRule(node);
    const need = node.inputs.map(
      (i, idx) => !!i && requires.has(i) && reaches.has(i) && !(rule.nonDiffInputs ?? []).includes(idx),
    );
    if (!need.some(Boolean)) continue;
    const dy = node.outputs.map((o) => (o && requires.has(o) ? sums.total(o) : undefined));
    if (dy.every((d) => d === undefined)) continue;
    const gx = rule.grad({ node, dy, need, e, saved: saved.get(node) ?? {} });
    node.inputs.forEach((inp, i) => {
      const gv = gx[i];
      if (!need[i] || !gv) return;
      e.setShape(gv, e.shape(inp), e.dtype(inp));
      sums.push(inp, gv);
    });
  }
}

/** Parameter name → the value holding its gradient; each is a distinct computed value so it can be a graph output. */
function parameterGrads(
  out: Graph,
  e: GraphEmitter,
  sums: GradientSums,
  opts: GradientOptions,
): Record<string, string> {
  const grads: Record<string, string> = {};
  const taken = new Set<string>([...out.inputs.map((v) => v.name), ...out.initializers.keys(), opts.loss]);
  for (const p of opts.wrt) {
    let gv = sums.total(p) ?? expandTo(e, e.scalar(0, e.dtype(p)), e.shape(p)); // parameter does not affect the loss
    if (taken.has(gv)) gv = e.add('Identity', [gv], {}, `grad/${p}`); // outputs must be distinct computed values
    taken.add(gv);
    grads[p] = gv;
  }
  return grads;
}

/** Graph outputs, each once, in a fixed order: loss, gradients (in `wrt` order), state updates, kept forward values. */
function setOutputs(
  out: Graph,
  e: GraphEmitter,
  grads: Record<string, string>,
  keep: string[],
  opts: GradientOptions,
): void {
  out.outputs = [];
  const seen = new Set<string>();
  const addOut = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    e.output(name);
  };
  addOut(opts.loss);
  for (const p of opts.wrt) addOut(grads[p]!);
  for (const v of Object.values(e.stateUpdates)) addOut(v);
  for (const k of keep) addOut(k);
}

/** Replace nodes whose training behaviour differs (BatchNorm, Dropout) or that must save extra outputs (MaxPool). */
function lowerForTraining(
  g: Graph,
  e: GraphEmitter,
  wrt: string[],
  isFloat: (v: string) => boolean,
): Map<Node, Record<string, string>> {
  const saved = new Map<Node, Record<string, string>>();
  const { requires } = gradientPath(g.nodes, wrt, undefined, isFloat);
  const nodes: Node[] = [];
  for (const node of g.nodes) {
    const rule = findRule(node, false);
    if (!rule?.lowerTraining) {
      nodes.push(node);
      continue;
    }
    e.sink = [];
    const onPath = node.inputs.some((i) => requires.has(i));
    const s = rule.lowerTraining(node, e, onPath);
    if (s === undefined) {
      nodes.push(...e.sink, node);
      continue;
    }
    nodes.push(...e.sink);
    // The backward rule looks up what the lowering saved by the node that now produces the first output.
    const producer = e.sink.find((n) => n.outputs.includes(node.outputs[0]!));
    if (producer) saved.set(producer, s);
  }
  g.nodes = nodes;
  e.sink = [];
  return saved;
}

/** Values that depend on a parameter (`requires`) and values the loss depends on (`reaches`). */
function gradientPath(
  nodes: Node[],
  wrt: string[],
  loss: string | undefined,
  isFloat: (v: string) => boolean,
): { requires: Set<string>; reaches: Set<string> } {
  const requires = new Set<string>(wrt);
  for (const n of nodes) {
    if (NON_DIFFERENTIABLE.has(n.opType)) continue;
    const rule = findRule(n, false);
    const non = rule?.nonDiffInputs ?? [];
    if (n.inputs.some((i, idx) => i && requires.has(i) && !non.includes(idx))) {
      for (const o of n.outputs) if (o && isFloat(o)) requires.add(o);
    }
  }
  const reaches = new Set<string>(loss ? [loss] : []);
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k]!;
    if (n.outputs.some((o) => reaches.has(o))) for (const i of n.inputs) if (i) reaches.add(i);
  }
  return { requires, reaches };
}
