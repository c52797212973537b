/**
 * "Same architecture" check for fine-tuning outputs: LOP trains an expanded network and merges it back, and the
 * promise to the user is that the saved model is a drop-in replacement for the input (same ops in the same order,
 * same weight names and shapes, same graph inputs/outputs). Checked before saving, so a merge bug can never ship.
 */
import type { Graph } from '../../ir/graph.js';
import { ReproError } from '../../util/errors.js';

/** The first difference between two graphs' architectures, or undefined when they match. */
export function architectureDifference(expected: Graph, actual: Graph): string | undefined {
  if (expected.nodes.length !== actual.nodes.length) {
    return `${actual.nodes.length} nodes instead of ${expected.nodes.length}`;
  }
  for (const [i, a] of expected.nodes.entries()) {
    const b = actual.nodes[i]!;
    if (a.opType !== b.opType) return `node ${i} is ${b.opType} '${b.name}' instead of ${a.opType} '${a.name}'`;
    if (a.inputs.join('|') !== b.inputs.join('|') || a.outputs.join('|') !== b.outputs.join('|')) {
      return `node '${a.name}' (${a.opType}) is wired differently`;
    }
  }
  for (const [name, t] of expected.initializers) {
    const u = actual.initializers.get(name);
    if (!u) return `weight '${name}' is missing`;
    if (u.dims.join(',') !== t.dims.join(','))
      return `weight '${name}' has shape [${u.dims.join(', ')}] instead of [${t.dims.join(', ')}]`;
  }
  for (const name of actual.initializers.keys()) if (!expected.initializers.has(name)) return `extra weight '${name}'`;
  const io = (g: Graph) => JSON.stringify([g.inputs.map((v) => [v.name, v.shape]), g.outputs.map((v) => v.name)]);
  if (io(expected) !== io(actual)) return 'graph inputs or outputs differ';
  return undefined;
}

/** Throw a ReproError naming `what` when `actual` does not have exactly `expected`'s architecture. */
export function assertSameArchitecture(expected: Graph, actual: Graph, what: string): void {
  const diff = architectureDifference(expected, actual);
  if (diff)
    throw new ReproError(
      `${what}: the fine-tuned model does not have the input model's architecture (${diff}); not saved — please report this`,
    );
}
