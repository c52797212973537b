/**
 * Regularizers and the weighted sum that turns loss terms into one scalar.
 * `addPenalty` is the generic hook: a pass builds any scalar term with its own nodes (and inputs fed each step)
 * and gets it back weighted, e.g. ADMM's ρ/2‖W − Z + U‖² via `addProximalPenalty`.
 */
import type { Graph } from '../../ir/graph.js';
import { ReproError } from '../../util/errors.js';
import { ensureInput, mulScalar, op, setShape, staticDims, sumSquares } from './ops.js';

export interface LossTerm {
  /** Scalar value name in the graph. */
  value: string;
  weight?: number;
}

/** Σ wᵢ·termᵢ as one scalar value. */
export function weightedSum(g: Graph, terms: readonly LossTerm[]): string {
  if (terms.length === 0) throw new ReproError('loss: no terms to sum');
  let acc: string | undefined;
  for (const t of terms) {
    const w = t.weight ?? 1;
    if (!Number.isFinite(w)) throw new ReproError(`loss term '${t.value}': weight ${w} is not finite`);
    const v = setShape(g, mulScalar(g, t.value, w, 'loss.term'), []);
    acc = acc === undefined ? v : setShape(g, op(g, 'Add', [acc, v], {}, 'loss.sum'), []);
  }
  return acc!;
}

/** Generic extra term: `build(g)` appends nodes and returns a scalar; the result is that scalar times `weight`. */
export function addPenalty(g: Graph, build: (g: Graph) => string, weight = 1): string {
  return setShape(g, mulScalar(g, build(g), weight, 'loss.penalty'), []);
}

/** λ/2 · Σ_p ‖p‖² over the given parameters (initializers of the forward graph). */
export function addL2Penalty(g: Graph, params: readonly string[], lambda: number): string {
  if (params.length === 0) throw new ReproError('L2 penalty: no parameters given');
  const terms = params.map((p) => {
    if (!g.initializers.has(p))
      throw new ReproError(`L2 penalty: '${p}' is not a parameter (initializer) of the model`);
    return { value: setShape(g, sumSquares(g, p, 'loss.l2'), []), weight: lambda / 2 };
  });
  return weightedSum(g, terms);
}

export interface ProximalTerm {
  /** The scalar penalty value. */
  value: string;
  /** Graph inputs to feed each step: Z (the projected copy) and U (the scaled dual), both shaped like the param. */
  z: string;
  u: string;
}

/** ADMM's ρ/2 · ‖W − Z + U‖²_F with Z and U declared as graph inputs (names `<param>.admm_z` / `.admm_u` by default). */
export function addProximalPenalty(
  g: Graph,
  param: string,
  rho: number,
  names: { z?: string; u?: string } = {},
): ProximalTerm {
  const dims = staticDims(g, param);
  const z = ensureInput(g, names.z ?? `${param}.admm_z`, dims);
  const u = ensureInput(g, names.u ?? `${param}.admm_u`, dims);
  const base = 'loss.admm';
  const d = setShape(g, op(g, 'Add', [setShape(g, op(g, 'Sub', [param, z], {}, base), dims), u], {}, base), dims);
  return { value: setShape(g, mulScalar(g, sumSquares(g, d, base), rho / 2, base), []), z, u };
}
