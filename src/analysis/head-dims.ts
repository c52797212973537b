/**
 * Permutations inside attention heads. Channel coupling stops at the Reshape that splits q/k/v into heads, and a
 * head can only be cut whole (attention-heads.ts), but the d dimensions of one head can be reordered exactly:
 * - q and k together: scores are Σ_j q[h·d + j]·k[h·d + j] per head, so one order for both columns keeps them;
 * - v with the output projection's rows: context column h·d + j meets row h·d + j of Wo and nothing else.
 * Each is a channel group of H·d channels whose permutations keep every head's block in place (`cuts` every d), so
 * TileTrans can place a head's dimensions for the projection's tiles or N:M runs. These groups permute only: a
 * removal would leave heads of unequal size, which the Reshape constants cannot express.
 */
import type { Graph } from '../ir/graph.js';
import { type AttentionBlock, attentionBlocks, type HeadProjection } from './attention-heads.js';
import type { ChannelGroup, ProducerRef } from './coupling-types.js';

function producerOf(b: AttentionBlock, p: HeadProjection): ProducerRef {
  const width = b.heads * b.headDim;
  return {
    node: p.matmul,
    opType: 'MatMul', // attention-heads.ts matches q/k/v projections that are MatMuls only
    weight: p.weight,
    axis: 1,
    offset: p.part === undefined ? 0 : p.part * width,
    ...(p.bias ? { bias: p.bias } : {}),
  };
}

/** Why a head group cannot be rewritten: a weight or bias another node also reads. */
function sharedReason(g: Graph, tensors: string[]): string[] {
  const uses = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) if (tensors.includes(i)) uses.set(i, (uses.get(i) ?? 0) + 1);
  return [...new Set(tensors)].filter((t) => (uses.get(t) ?? 0) > 1).map((t) => `initializer '${t}' is shared`);
}

function group(
  g: Graph,
  b: AttentionBlock,
  id: number,
  producers: ProducerRef[],
  consumers: ChannelGroup['consumers'],
): ChannelGroup {
  const width = b.heads * b.headDim;
  const own = [
    ...producers.flatMap((p) => (p.bias ? [p.weight, p.bias] : [p.weight])),
    ...consumers.map((c) => c.weight),
  ];
  // A fused qkv weight is read once by its MatMul; its parts are separate producer entries of one tensor.
  const reasons = sharedReason(g, own);
  return {
    id,
    size: width,
    producers,
    params: [],
    consumers,
    values: [],
    cuts: Array.from({ length: b.heads + 1 }, (_, h) => h * b.headDim),
    fixed: reasons.length > 0,
    reasons,
    normalizedBy: [],
    withinHeads: true,
  };
}

/** Two groups per attention block: q with k, and v with the output projection's rows. Ids start at `firstId`. */
export function headDimGroups(g: Graph, firstId = 0): ChannelGroup[] {
  const out: ChannelGroup[] = [];
  for (const b of attentionBlocks(g)) {
    const qk = [producerOf(b, b.q), producerOf(b, b.k)];
    out.push(group(g, b, firstId + out.length, qk, []));
    const proj = {
      node: b.proj.matmul,
      opType: 'MatMul',
      weight: b.proj.weight,
      axis: 0,
      offset: 0,
      block: 1,
      convGroups: 1,
      reshapes: [],
    };
    out.push(group(g, b, firstId + out.length, [producerOf(b, b.v)], [proj]));
  }
  return out;
}
