/** Structural, bit-level comparison of two IR graphs for round-trip tests. */
import type { Attr } from '../../src/ir/attrs.js';
import type { Graph } from '../../src/ir/graph.js';
import { tensorsEqual } from '../../src/ir/tensor.js';

/** ONNX stores float attributes as float32, so an attribute survives export as its float32 rounding. */
function attrEqual(a: Attr, b: Attr): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'float':
      return Object.is(Math.fround(a.value), Math.fround(b.value as number));
    case 'floats':
      return (
        a.value.length === (b.value as number[]).length &&
        a.value.every((v, i) => Object.is(Math.fround(v), Math.fround((b.value as number[])[i]!)))
      );
    case 'tensor':
      return tensorsEqual(a.value, b.value as typeof a.value);
    default:
      return JSON.stringify(a.value) === JSON.stringify(b.value);
  }
}

/** Every difference between `a` and `b` (empty = identical): nodes, attributes, initializers, I/O, model fields. */
export function graphDiff(a: Graph, b: Graph): string[] {
  const d: string[] = [];
  const same = (what: string, x: unknown, y: unknown) => {
    if (JSON.stringify(x) !== JSON.stringify(y)) d.push(`${what}: ${JSON.stringify(x)} != ${JSON.stringify(y)}`);
  };
  same('name', a.name, b.name);
  same('opset', a.opset, b.opset);
  same('irVersion', a.irVersion, b.irVersion);
  same('extraOpsets', a.extraOpsets, b.extraOpsets);
  same('producer', [a.producerName, a.producerVersion, a.docString], [b.producerName, b.producerVersion, b.docString]);
  same('metadata', a.metadata, b.metadata);
  same('inputs', a.inputs, b.inputs);
  same('outputs', a.outputs, b.outputs);
  same('valueInfo', [...a.valueInfo.values()], [...b.valueInfo.values()]);
  same('node count', a.nodes.length, b.nodes.length);
  a.nodes.forEach((n, i) => {
    const m = b.nodes[i];
    if (!m) return;
    same(
      `node ${i}`,
      [n.name, n.opType, n.domain ?? '', n.inputs, n.outputs, n.docString ?? ''],
      [m.name, m.opType, m.domain ?? '', m.inputs, m.outputs, m.docString ?? ''],
    );
    same(`node ${n.name} attribute names`, Object.keys(n.attrs), Object.keys(m.attrs));
    for (const [k, v] of Object.entries(n.attrs)) {
      const w = m.attrs[k];
      if (w && !attrEqual(v, w)) d.push(`node ${n.name} attribute ${k} differs`);
    }
  });
  same('initializer names', [...a.initializers.keys()], [...b.initializers.keys()]);
  for (const [k, t] of a.initializers) {
    const u = b.initializers.get(k);
    if (u && !tensorsEqual(t, u)) d.push(`initializer ${k} differs`);
  }
  return d;
}
