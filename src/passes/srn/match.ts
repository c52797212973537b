/**
 * Find residual basic blocks after BN folding: Add(conv2(ReLU(conv1(x))), shortcut) where the shortcut
 * is x itself or a 1×1 Conv of x (projection). Every intermediate value must have exactly one reader,
 * so widening conv1 / conv2 changes nothing else.
 */
import { attrInt, attrInts } from '../../ir/attrs.js';
import type { Graph, Node } from '../../ir/graph.js';

export interface BasicBlock {
  add: Node;
  conv1: Node;
  relu: Node;
  conv2: Node;
  /** 1×1 projection conv on the shortcut, when there is one. */
  proj?: Node;
  /** Block input. */
  x: string;
}

function plainConv(g: Graph, n: Node | undefined): n is Node {
  if (n?.opType !== 'Conv' || !g.initializers.has(n.inputs[1] ?? '')) return false;
  if (attrInt(n.attrs, 'group', 1) !== 1) return false;
  if ((attrInts(n.attrs, 'dilations') ?? []).some((d) => d !== 1)) return false;
  const ap = n.attrs.auto_pad;
  if (ap && ap.kind === 'string' && ap.value !== 'NOTSET') return false;
  return g.initializers.get(n.inputs[1]!)!.dims.length === 4;
}

export function findBasicBlocks(g: Graph): BasicBlock[] {
  const { producer, consumers } = g.index();
  const single = (v: string) => (consumers.get(v) ?? []).length === 1 && !g.isGraphOutput(v);
  const out: BasicBlock[] = [];
  for (const add of g.nodes) {
    if (add.opType !== 'Add' || add.inputs.length !== 2 || add.inputs.some((i) => g.initializers.has(i))) continue;
    for (const side of [0, 1]) {
      const conv2 = producer.get(add.inputs[side]!);
      if (!plainConv(g, conv2) || !single(conv2.outputs[0]!)) continue;
      const relu = producer.get(conv2.inputs[0]!);
      if (relu?.opType !== 'Relu' || !single(relu.outputs[0]!)) continue;
      const conv1 = producer.get(relu.inputs[0]!);
      if (!plainConv(g, conv1) || !single(conv1.outputs[0]!)) continue;
      const x = conv1.inputs[0]!;
      const other = add.inputs[1 - side]!;
      if (other === x) {
        out.push({ add, conv1, relu, conv2, x });
        break;
      }
      const proj = producer.get(other);
      if (plainConv(g, proj) && proj.inputs[0] === x && single(other)) {
        const k = g.initializers.get(proj.inputs[1]!)!.dims;
        const pads = attrInts(proj.attrs, 'pads') ?? [0, 0, 0, 0];
        if (k[2] === 1 && k[3] === 1 && pads.every((p) => p === 0)) {
          out.push({ add, conv1, relu, conv2, proj, x });
          break;
        }
      }
    }
  }
  return out;
}

/** True when a value is provably ≥ 0 (output of ReLU, possibly through pooling/reshaping). */
export function nonNegative(g: Graph, v: string, producer = g.index().producer): boolean {
  const p = producer.get(v);
  if (!p) return false;
  if (p.opType === 'Relu') return true;
  if (
    ['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Flatten', 'Identity', 'Reshape'].includes(
      p.opType,
    )
  ) {
    return nonNegative(g, p.inputs[0]!, producer);
  }
  return false;
}
