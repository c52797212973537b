import { channelGroups, applyPermutation, type ChannelGroup } from '../../src/analysis/coupling.js';
import type { Graph } from '../../src/ir/graph.js';
import { f32 } from '../../src/ir/tensor.js';
import { compile } from '../../src/runtime/session.js';
import { SeededRng } from '../../src/util/random.js';

/** Random permutation that keeps each cut block of the group in place. */
export function randomPerm(group: ChannelGroup, rng: SeededRng): number[] {
  const perm: number[] = [];
  for (let b = 0; b + 1 < group.cuts.length; b++) {
    const lo = group.cuts[b]!;
    const block = Array.from({ length: group.cuts[b + 1]! - lo }, (_, i) => lo + i);
    perm.push(...rng.shuffle(block));
  }
  return perm;
}

/** Outputs of g on a fixed random input (batch 3; symbolic dims set to 3). */
export async function runOn(g: Graph, seed = 7): Promise<Float32Array> {
  const rng = new SeededRng(seed);
  const inp = g.inputs[0]!;
  const dims = inp.shape!.map((d) => (typeof d === 'number' ? d : 3));
  const x = f32(dims, rng.fillNormal(new Float32Array(dims.reduce((a, b) => a * b, 1))));
  const r = await compile(g);
  const out = await r.run({ [inp.name]: x });
  return out[g.outputs[0]!.name]!.data as Float32Array;
}

export function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

export function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Permute every permutable group randomly; returns how many groups were permuted. */
export function permuteAll(g: Graph, seed = 3): number {
  const rng = new SeededRng(seed);
  let count = 0;
  for (const gr of channelGroups(g)) {
    if (gr.fixed) continue;
    applyPermutation(g, gr, randomPerm(gr, rng));
    count++;
  }
  return count;
}
