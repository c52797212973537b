/**
 * Order and structure of a graph's nodes: a topological order that names a node on a cycle, and the structural
 * checks (unique names, one producer per value, every read defined) that `Graph.validate` runs.
 */
import { ReproError } from '../util/errors.js';
import type { Node, ValueInfo } from './node.js';

/** What ordering and checking read of a graph. */
export interface NodeGraph {
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, unknown>;
}

type VisitState = 1 | 2;

/** The node producing each value (the last one, if a malformed graph has two; `checkStructure` refuses that). */
export function producerMap(nodes: Node[]): Map<string, Node> {
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  return producer;
}

function cycleError(p: Node): ReproError {
  return new ReproError(`graph has a cycle through node '${p.name}' (${p.opType}); ONNX graphs must be acyclic`);
}

/** The nodes of `g` with every producer before its consumers. Throws naming a node on a cycle. */
export function topoOrder(g: NodeGraph): Node[] {
  const available = new Set<string>(['', ...g.initializers.keys(), ...g.inputs.map((v) => v.name)]);
  const producer = producerMap(g.nodes);
  const state = new Map<Node, VisitState>();
  const order: Node[] = [];
  // Iterative DFS: deep graphs (hundreds of layers) must not overflow the JS stack.
  const visit = (root: Node) => {
    const stack: Array<[Node, number]> = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [n, i] = top;
      if (i === 0) {
        if (state.get(n) === 2) {
          stack.pop();
          continue;
        }
        state.set(n, 1);
      }
      if (i < n.inputs.length) {
        top[1]++;
        const inp = n.inputs[i]!;
        const p = available.has(inp) ? undefined : producer.get(inp);
        if (!p) continue; // a graph value, or dangling (validate() reports it)
        const st = state.get(p);
        if (st === 1) throw cycleError(p);
        if (st !== 2) stack.push([p, 0]);
      } else {
        state.set(n, 2);
        order.push(n);
        stack.pop();
      }
    }
  };
  for (const n of g.nodes) visit(n);
  return order;
}

/** The values nodes define, checking node names are unique and each value has one producer. */
function definedValues(g: NodeGraph): Set<string> {
  const defined = new Set<string>([...g.initializers.keys(), ...g.inputs.map((v) => v.name)]);
  const nodeNames = new Set<string>();
  for (const n of g.nodes) {
    if (n.name && nodeNames.has(n.name))
      throw new ReproError(`two nodes are named '${n.name}'; node names must be unique`);
    nodeNames.add(n.name);
    for (const o of n.outputs) {
      if (!o) continue;
      if (defined.has(o))
        throw new ReproError(
          `value '${o}' is produced twice (again by node '${n.name}' ${n.opType}); each value must have one producer`,
        );
      defined.add(o);
    }
  }
  return defined;
}

/** Structural checks; throws a ReproError naming the first problem. Does not reorder. */
export function checkStructure(g: NodeGraph): void {
  const defined = definedValues(g);
  for (const n of g.nodes)
    for (const i of n.inputs)
      if (i && !defined.has(i))
        throw new ReproError(
          `node '${n.name}' (${n.opType}) reads '${i}', which no node, input or initializer defines`,
        );
  for (const o of g.outputs)
    if (!defined.has(o.name)) throw new ReproError(`graph output '${o.name}' is not produced by any node`);
}
