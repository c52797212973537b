/**
 * Book-keeping for the coupling analysis: channel spaces joined by union-find, and the channel layout
 * of every activation value (which spaces its channel axis is made of, at which offsets).
 */
import type { ChannelGroup, ConsumerRef, ParamRef, ProducerRef } from './coupling-types.js';

/** A contiguous run of one space's channels inside a value's channel axis. */
export interface Segment {
  space: number;
  off: number;
  len: number;
}

/**
 * How a value's channel axis is laid out. `axis`: 'ch1' = axis 1 of an N×C×… tensor, 'last' = the
 * last axis (MatMul outputs), 'both' = a rank-2 [N, C] tensor where both coincide.
 * `block`: features per channel (1, or H·W after Flatten; 'pending' until a consumer's width tells).
 */
export interface Layout {
  segs: Segment[];
  total: number;
  axis: 'ch1' | 'last' | 'both';
  block: number | 'pending';
  reshapes: string[];
}

interface Space {
  size: number;
  producers: ProducerRef[];
  params: ParamRef[];
  consumers: ConsumerRef[];
  values: Set<string>;
  cuts: Set<number>;
  reasons: string[];
  /** Nodes that take a statistic over this space's channels (LayerNorms): `normalizedBy` of the group. */
  normalizedBy: Set<string>;
}

export class CouplingState {
  private parent: number[] = [];
  private spaces: Space[] = [];
  readonly layouts = new Map<string, Layout>();
  /**
   * Values that are statistics over the whole channel axis of a layout (a LayerNorm's mean and variance,
   * keepdims): one entry per position, the same whatever the channel order, so they broadcast like scalars.
   */
  readonly stats = new Set<string>();

  newSpace(size: number, reason?: string): number {
    const id = this.spaces.length;
    this.parent.push(id);
    this.spaces.push({
      size,
      producers: [],
      params: [],
      consumers: [],
      values: new Set(),
      cuts: new Set(),
      reasons: reason ? [reason] : [],
      normalizedBy: new Set(),
    });
    return id;
  }

  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }

  space(i: number): Space {
    return this.spaces[this.find(i)]!;
  }

  /** Merge two spaces (a residual Add makes its inputs one channel space). */
  union(a: number, b: number, why: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    const A = this.spaces[ra]!;
    const B = this.spaces[rb]!;
    this.parent[rb] = ra;
    if (A.size !== B.size) A.reasons.push(`${why}: joins channel spaces of sizes ${A.size} and ${B.size}`);
    A.producers.push(...B.producers);
    A.params.push(...B.params);
    A.consumers.push(...B.consumers);
    for (const v of B.values) A.values.add(v);
    for (const c of B.cuts) A.cuts.add(c);
    for (const n of B.normalizedBy) A.normalizedBy.add(n);
    A.reasons.push(...B.reasons);
  }

  fix(space: number, reason: string): void {
    const s = this.space(space);
    if (!s.reasons.includes(reason)) s.reasons.push(reason);
  }

  /** Mark every space in a value's layout fixed (the value flows somewhere we cannot follow). */
  fixValue(value: string, reason: string): void {
    const l = this.layouts.get(value);
    if (l) for (const s of l.segs) this.fix(s.space, reason);
  }

  setLayout(value: string, l: Layout): void {
    this.layouts.set(value, l);
    for (const s of l.segs) this.space(s.space).values.add(value);
  }

  addCut(space: number, at: number): void {
    this.space(space).cuts.add(at);
  }

  /** Node `node` computes a statistic over every channel of this layout (LayerNorm's mean and variance). */
  addStat(l: Layout, node: string): void {
    for (const s of l.segs) this.space(s.space).normalizedBy.add(node);
  }

  groups(): ChannelGroup[] {
    const out: ChannelGroup[] = [];
    const seen = new Set<number>();
    for (let i = 0; i < this.spaces.length; i++) {
      const r = this.find(i);
      if (seen.has(r)) continue;
      seen.add(r);
      const s = this.spaces[r]!;
      const reasons = [...new Set(s.reasons)];
      if (s.size <= 0) reasons.push('channel count unknown');
      const cuts = [...new Set([0, ...[...s.cuts].filter((c) => c > 0 && c < s.size), Math.max(s.size, 0)])].sort(
        (a, b) => a - b,
      );
      out.push({
        id: out.length,
        size: s.size,
        producers: s.producers,
        params: s.params,
        consumers: s.consumers,
        values: [...s.values],
        cuts,
        fixed: reasons.length > 0,
        reasons,
        normalizedBy: [...s.normalizedBy],
      });
    }
    return out;
  }
}

/** Layout of a freshly produced value: one new space. */
export function singleLayout(space: number, size: number, axis: Layout['axis']): Layout {
  return { segs: [{ space, off: 0, len: size }], total: size, axis, block: 1, reshapes: [] };
}

/** True when two layouts have the same segment boundaries (so they can be joined space by space). */
export function sameBoundaries(a: Layout, b: Layout): boolean {
  if (a.total !== b.total || a.segs.length !== b.segs.length) return false;
  return a.segs.every((s, i) => s.off === b.segs[i]!.off && s.len === b.segs[i]!.len);
}
