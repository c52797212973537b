/**
 * Which coupled channel groups structured pruning may cut, how they are named, and how many channels
 * a ratio keeps. A group is named by its producers (`layer1.0.conv1`, or `a+b` for a residual stream),
 * which stays stable across cuts, so plans and PRO ratios can refer to it.
 */
import { attentionBlocks } from '../../analysis/attention-heads.js';
import { type ChannelGroup, channelGroups, groupKey } from '../../analysis/coupling.js';
import type { Graph } from '../../ir/graph.js';

export { groupKey };

export interface GroupStatus {
  group: ChannelGroup;
  key: string;
  /** Why the group cannot be cut by this method (undefined = prunable). */
  reason?: string;
  /** The single value all consumers read (behaviour source for REAP/NU), when there is one. */
  value?: string;
  /** A convolution produces or reads these channels (what `--round-to 0` rounds; MatMul/Gemm widths are free). */
  conv: boolean;
}

/** Which groups a method may cut: behaviour methods need one value all consumers read; hidden sizes only when asked. */
export interface GroupOptions {
  behaviour: boolean;
  /** Producer node names or group keys left alone. */
  skip?: string[];
  /** Also cut groups normalized by a LayerNorm (a transformer's hidden size); approximate, so off by default. */
  pruneHidden?: boolean;
}

/** Why a LayerNorm-normalized group (a residual stream's hidden size) stays unless asked. */
function hiddenReason(gr: ChannelGroup): string {
  const n = gr.normalizedBy;
  const more = n.length > 1 ? ` and ${n.length - 1} more` : '';
  return `hidden size: normalized by '${n[0]}'${more}, so cutting it changes every position's mean and variance (pass --prune-hidden to cut it anyway)`;
}

/** q/k/v projections of matched attention blocks, by MatMul node: their columns go by whole heads only. */
function headProjections(g: Graph): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of attentionBlocks(g)) for (const p of [b.q, b.k, b.v]) out.set(p.matmul, b.key);
  return out;
}

/** Every group with a producer, with the reason it cannot be pruned (if any). */
export function groupStatuses(g: Graph, opts: GroupOptions): GroupStatus[] {
  const skip = new Set(opts.skip ?? []);
  const heads = headProjections(g);
  const nodes = new Map(g.nodes.map((n) => [n.name, n] as const));
  const out: GroupStatus[] = [];
  for (const gr of channelGroups(g)) {
    if (gr.producers.length === 0) continue;
    const key = groupKey(gr);
    const values = new Set(gr.consumers.map((c) => nodes.get(c.node)?.inputs[0] ?? ''));
    const value = values.size === 1 ? [...values][0] : undefined;
    let reason: string | undefined;
    const block = gr.producers.length > 0 ? heads.get(gr.producers[0]!.node) : undefined;
    if (gr.fixed && block)
      reason = `attention head columns of block '${block}': heads are cut whole (prune --heads R, or the recipe step \`heads\`)`;
    else if (gr.fixed) reason = gr.reasons[0] ?? 'fixed';
    else if (gr.consumers.length === 0) reason = 'no consumer layer';
    else if (gr.size < 2) reason = 'fewer than 2 channels';
    else if (gr.cuts.length > 2 || gr.consumers.some((c) => c.convGroups > 1)) reason = 'grouped convolution';
    else if (gr.producers.some((p) => skip.has(p.node)) || skip.has(key)) reason = 'skipped (--skip)';
    else if (gr.normalizedBy.length > 0 && !opts.pruneHidden) reason = hiddenReason(gr);
    else if (opts.behaviour && !value) reason = 'consumers read different values (residual stream; use --srn)';
    else if (opts.behaviour && gr.consumers.some((c) => !['Conv', 'Gemm', 'MatMul'].includes(c.opType)))
      reason = 'consumer is not Conv/Gemm/MatMul';
    const conv =
      gr.producers.some((p) => nodes.get(p.node)?.opType === 'Conv') || gr.consumers.some((c) => c.opType === 'Conv');
    out.push({ group: gr, key, conv, ...(reason ? { reason } : {}), ...(value ? { value } : {}) });
  }
  return out;
}

/**
 * Why groups cannot be cut, in one line: reasons alike up to the names in them counted together, the most common
 * first, each with one full example (e.g. "reaches graph output 'logits'" ×1; "read by Reshape node '/s2/Reshape'
 * in a way ..." ×4).
 */
export function reasonSummary(reasons: string[], max = 3): string {
  const byKind = new Map<string, { n: number; example: string }>();
  for (const r of reasons) {
    const kind = r.replace(/'[^']*'/g, "'…'").replace(/\d+/g, '#');
    const e = byKind.get(kind);
    if (e) e.n++;
    else byKind.set(kind, { n: 1, example: r });
  }
  const top = [...byKind.values()].sort((a, b) => b.n - a.n);
  const shown = top.slice(0, max).map((e) => `${e.example}${e.n > 1 ? ` (and ${e.n - 1} alike)` : ''}`);
  return shown.join('; ') + (top.length > max ? `; ${top.length - max} other reasons` : '');
}

/** `roundTo` value that asks for the unit by width (`channelUnit`). */
export const ROUND_TO_AUTO = 0;

/**
 * The multiple a group of `size` channels keeps: `roundTo`, or with ROUND_TO_AUTO, for channels a convolution
 * computes or reads, 16 from 64 channels, 8 from 32, else 1. ORT's NCHWc convolutions work in blocks of 8/16
 * channels; a count off the block costs about as much as the next multiple (docs/bench/speed-round.md: ResNet-50 at
 * −50 % MACs ran 1.24× faster unrounded, 1.93× by width). MatMul/Gemm widths stay free (a ViT gained nothing), and
 * narrow layers keep unit 1 so LeNet-sized nets still prune finely.
 */
export function channelUnit(size: number, roundTo = 1, conv = true): number {
  if (roundTo !== ROUND_TO_AUTO) return Math.max(1, roundTo);
  if (!conv) return 1;
  return size >= 64 ? 16 : size >= 32 ? 8 : 1;
}

/** Channels kept when removing `ratio` of `size`, rounded to a multiple of its unit (`channelUnit`; ≥ 1 channel). */
export function keepCount(size: number, ratio: number, roundTo = 1, conv = true): number {
  const unit = channelUnit(size, roundTo, conv);
  let k = Math.round(size * (1 - ratio));
  if (unit > 1) k = Math.round(k / unit) * unit;
  return Math.min(size, Math.max(unit > 1 ? Math.min(unit, size) : 1, k));
}
