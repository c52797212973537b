/**
 * Un-sharing initializers. PyTorch's exporter deduplicates numerically identical initializers: every BatchNorm
 * weight of an untrained net (all ones), every folded zero bias, even a BatchNorm's scale and running variance
 * become one tensor read by many nodes. A shared tensor cannot be cut or permuted for one layer without changing
 * the others, so the coupling analysis fixes every group that touches one — on such an export nothing is prunable.
 * Passes that cut or permute first give every extra reader its own initializer. The copies share the tensor object
 * (tensors are never written in place once in a graph), so un-sharing costs names, not memory, until a pass
 * rewrites one of them.
 */
import type { Graph } from '../ir/graph.js';

/** Number of (node, input slot) references to each initializer. */
export function initializerRefs(g: Graph): Map<string, number> {
  const refs = new Map<string, number>();
  for (const n of g.nodes)
    for (const i of n.inputs) if (i && g.initializers.has(i)) refs.set(i, (refs.get(i) ?? 0) + 1);
  return refs;
}

/** True when some initializer is read by more than one node input (or is also a graph output). */
export function hasSharedInitializers(g: Graph): boolean {
  for (const [name, k] of initializerRefs(g)) if (k > 1 || (k === 1 && g.isGraphOutput(name))) return true;
  return false;
}

/**
 * A copy of `g` (weights shared by reference) where each initializer is read by exactly one node input: the first
 * reader in node order keeps the name, every other reader gets `<name>_<k>`. Deterministic, so a plan made on the
 * un-shared graph applies to the un-shared copy of the same model. Returns `g` itself when nothing is shared.
 */
export function unshareInitializers(g: Graph): Graph {
  if (!hasSharedInitializers(g)) return g;
  const out = g.clone(true);
  const claimed = new Set<string>(out.outputs.map((o) => o.name));
  for (const n of out.nodes) {
    n.inputs = n.inputs.map((name) => {
      const t = name ? out.initializers.get(name) : undefined;
      if (!t) return name;
      if (!claimed.has(name)) {
        claimed.add(name);
        return name;
      }
      const copy = out.addInitializer(`${name}_${n.name}`, t);
      claimed.add(copy);
      return copy;
    });
  }
  return out;
}
