/** Which initializers are trainable, and masks that keep pruned weights at exactly zero. */
import type { Graph } from '../ir/graph.js';
import { ReproError } from '../util/errors.js';

/** Input slots that hold learnable parameters, per op type (everything else — running stats, shapes — is not). */
const PARAM_SLOTS: Record<string, readonly number[]> = {
  Conv: [1, 2],
  ConvTranspose: [1, 2],
  Gemm: [1, 2],
  MatMul: [0, 1],
  BatchNormalization: [1, 2],
  InstanceNormalization: [1, 2],
  LayerNormalization: [1, 2],
  Add: [0, 1],
  Mul: [0, 1],
  PRelu: [1],
};

/** Float32 initializers sitting in a parameter slot of a parameterized op, in graph order. */
export function trainableParams(g: Graph): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const n of g.nodes) {
    const slots = PARAM_SLOTS[n.opType];
    if (!slots) continue;
    for (const s of slots) {
      const name = n.inputs[s];
      if (!name || seen.has(name)) continue;
      const t = g.initializers.get(name);
      // Scalars feeding Add/Mul are constants of the model (e.g. a scale), not weights.
      if (t?.dtype !== 'float32' || (t.dims.length === 0 && (n.opType === 'Add' || n.opType === 'Mul'))) continue;
      seen.add(name);
      out.push(name);
    }
  }
  return out;
}

/** Resolve the parameter list: explicit `params` or the default, minus `frozen`. Unknown names are errors. */
export function selectParams(
  g: Graph,
  params: readonly string[] | undefined,
  frozen: readonly string[] = [],
): string[] {
  const all = params ? [...params] : trainableParams(g);
  for (const p of [...all, ...frozen]) {
    const t = g.initializers.get(p);
    if (!t) throw new ReproError(`parameter '${p}' is not an initializer of model '${g.name}'`);
    if (t.dtype !== 'float32')
      throw new ReproError(`parameter '${p}' is ${t.dtype}; only float32 initializers can be trained`);
  }
  const fz = new Set(frozen);
  const chosen = all.filter((p) => !fz.has(p));
  if (chosen.length === 0) throw new ReproError(`model '${g.name}': no trainable parameters left (all frozen?)`);
  return chosen;
}

/**
 * Masks from the model's exact zeros: a parameter with at least one zero and at least one non-zero entry
 * gets mask = (w ≠ 0). All-zero tensors (e.g. a fresh zero bias) stay trainable.
 */
export function masksFromZeros(g: Graph, params: readonly string[]): Record<string, Uint8Array> {
  const masks: Record<string, Uint8Array> = {};
  for (const p of params) {
    const w = g.initializers.get(p)!.data as Float32Array;
    let zeros = 0;
    for (let i = 0; i < w.length; i++) if (w[i] === 0) zeros++;
    if (zeros === 0 || zeros === w.length) continue;
    const m = new Uint8Array(w.length);
    for (let i = 0; i < w.length; i++) m[i] = w[i] === 0 ? 0 : 1;
    masks[p] = m;
  }
  return masks;
}

/** Zero the masked entries of each parameter in place (exact zeros). */
export function applyMasks(g: Graph, masks: Record<string, Uint8Array | Float32Array>): void {
  for (const [p, m] of Object.entries(masks)) {
    const t = g.initializers.get(p);
    if (!t) throw new ReproError(`mask for '${p}': no such parameter in model '${g.name}'`);
    const w = t.data as Float32Array;
    if (m.length !== w.length)
      throw new ReproError(`mask for '${p}' has ${m.length} entries, the parameter has ${w.length}`);
    for (let i = 0; i < w.length; i++) if (m[i] === 0) w[i] = 0;
  }
}

export function toByteMask(m: Uint8Array | Float32Array): Uint8Array {
  if (m instanceof Uint8Array) return m;
  const out = new Uint8Array(m.length);
  for (let i = 0; i < m.length; i++) out[i] = m[i] === 0 ? 0 : 1;
  return out;
}
