import type { Graph, Node } from '../ir/graph.js';
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
  const options: TrainOptions = { dropoutSeed: opts.dropoutSeed ?? 0, frozenBatchNorm: opts.frozenBatchNorm ?? false };
  const e = new GraphEmitter(out, options);
  out.topoSort();
  const saved = lowerForTraining(out, e, opts.wrt, (v) => !e.hasShape(v) || e.dtype(v).startsWith('float'));
  out.topoSort();
  const forward = out.nodes;

  const isFloat = (v: string) => !e.hasShape(v) || e.dtype(v) === 'float32' || e.dtype(v) === 'float64';
  const { requires, reaches } = gradientPath(forward, opts.wrt, opts.loss, isFloat);
  const contributions = new Map<string, string[]>();
  const push = (v: string, gv: string) => {
    let l = contributions.get(v);
    if (!l) contributions.set(v, (l = []));
    l.push(gv);
  };
  const lossShape = e.shape(opts.loss);
  const lossDtype = e.dtype(opts.loss);
  const ones = tensor(lossDtype, lossShape, allocData(lossDtype, lossShape.reduce((a, b) => a * b, 1)).fill(1 as never));
  push(opts.loss, e.const(ones, 'grad/seed'));

  const total = (v: string): string | undefined => {
    const l = contributions.get(v);
    if (!l || l.length === 0) return undefined;
    if (l.length > 1) {
      const s = e.add(l.length === 2 ? 'Add' : 'Sum', l, {}, `grad/${v}`);
      e.setShape(s, e.shape(v), e.dtype(v));
      contributions.set(v, [s]);
    }
    return contributions.get(v)![0];
  };

  e.sink = [];
  for (let k = forward.length - 1; k >= 0; k--) {
    const node = forward[k]!;
    if (!node.outputs.some((o) => reaches.has(o) && requires.has(o))) continue;
    const rule = findRule(node);
    const need = node.inputs.map((i, idx) => !!i && requires.has(i) && reaches.has(i) && !(rule.nonDiffInputs ?? []).includes(idx));
    if (!need.some(Boolean)) continue;
    const dy = node.outputs.map((o) => (o && requires.has(o) ? total(o) : undefined));
    if (dy.every((d) => d === undefined)) continue;
    const gx = rule.grad({ node, dy, need, e, saved: saved.get(node) ?? {} });
    node.inputs.forEach((inp, i) => {
      const gv = gx[i];
      if (!need[i] || !gv) return;
      e.setShape(gv, e.shape(inp), e.dtype(inp));
      push(inp, gv);
    });
  }

  const grads: Record<string, string> = {};
  const taken = new Set<string>([...out.inputs.map((v) => v.name), ...out.initializers.keys(), opts.loss]);
  for (const p of opts.wrt) {
    let gv = total(p) ?? expandTo(e, e.scalar(0, e.dtype(p)), e.shape(p)); // parameter does not affect the loss
    if (taken.has(gv)) gv = e.add('Identity', [gv], {}, `grad/${p}`); // outputs must be distinct computed values
    taken.add(gv);
    grads[p] = gv;
  }
  out.nodes = [...forward, ...e.sink];

  const keep = opts.keepOutputs ?? g.outputs.map((o) => o.name);
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
  out.removeUnused();
  out.validate();
  return { graph: out, loss: opts.loss, grads, stateUpdates: { ...e.stateUpdates }, stateInputs: [...e.stateInputs] };
}

/** Replace nodes whose training behaviour differs (BatchNorm, Dropout) or that must save extra outputs (MaxPool). */
function lowerForTraining(g: Graph, e: GraphEmitter, wrt: string[], isFloat: (v: string) => boolean): Map<Node, Record<string, string>> {
  const saved = new Map<Node, Record<string, string>>();
  const { requires } = gradientPath(g.nodes, wrt, undefined, isFloat);
  const nodes: Node[] = [];
  for (const node of g.nodes) {
    const rule = findRule(node, false);
    if (!rule?.lowerTraining) { nodes.push(node); continue; }
    e.sink = [];
    const onPath = node.inputs.some((i) => requires.has(i));
    const s = rule.lowerTraining(node, e, onPath);
    if (s === undefined) { nodes.push(...e.sink, node); continue; }
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
function gradientPath(nodes: Node[], wrt: string[], loss: string | undefined, isFloat: (v: string) => boolean): { requires: Set<string>; reaches: Set<string> } {
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
