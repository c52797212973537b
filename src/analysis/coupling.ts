/**
 * Channel coupling analysis: which channels of a graph must be permuted or removed together.
 *
 * Walks the graph in topological order and tracks, for every activation value, the layout of its
 * channel axis (coupling-state.ts). Operators (coupling-rules.ts, coupling-layout-rules.ts):
 * - **producers** start a channel space: Conv out-channels (weight axis 0) + bias, Gemm rows
 *   (transB=1: axis 0; transB=0: axis 1) + bias C, MatMul weight columns (axis 1);
 * - **pass-through** ops keep it: elementwise activations, Clip, Dropout, Identity, pools
 *   (NCHW only), Pad without channel padding; **BatchNormalization** adds scale, bias, running mean and
 *   running var as per-channel params; a **depthwise** conv (group = C, one filter per channel) is a
 *   pass-through whose weight rows and bias follow the channels;
 * - **consumers** read it: Conv in-channels (weight axis 1), Gemm/MatMul input columns; after Flatten
 *   (or Reshape to [N,−1]) each channel is a block of H·W consecutive columns (block = columns / channels);
 * - **Add/Sub/Mul/...** of activations joins their spaces (union-find): a residual stream is one group
 *   with all writers and readers; per-channel constants become params; scalars pass;
 * - **Concat** along channels lays spaces side by side: each consumer entry records its offset;
 * - **grouped conv** (1 < group, not depthwise): supported for permutations that keep every conv group's
 *   block of channels in place (recorded as `cuts`); removing channels through it is refused;
 * - **Transpose** NCHW ↔ NHWC moves the channel axis to the last axis and back (ConvNeXt's Permute); a
 *   **Reduce** over exactly the channel axis (keepdims) is a per-position statistic that broadcasts like a
 *   scalar (a decomposed LayerNorm's mean and variance); **LayerNormalization** over the last axis and
 *   **InstanceNormalization** carry scale and bias as params; **Resize/Upsample** of NCHW maps is spatial
 *   (FPN top-down paths join lateral convs through Resize + Add); squeeze-and-excitation gates are Mul of
 *   two values of one space, so the expand conv joins the gated stream;
 * - graph inputs and outputs are never permuted: their groups are fixed.
 * Anything else (unknown op, activation in a non-channel position, shared initializers, shape that
 * cannot be proven) marks the affected groups fixed with a reason naming the node and op, so we never
 * rewrite wrongly. Ops without a rule (custom domains included) are barriers: nothing after them reads a
 * layout, so channels on both sides stay as they are.
 *
 * Plan/apply split: `channelGroups(g)` returns plain JSON-able data; coupling-apply.ts applies it.
 * Constants must be initializers: run `foldConstants` (src/ir/shape) first on PyTorch exports.
 */
import type { Dim, Graph, Node } from '../ir/graph.js';
import { inferShapesDetailed } from '../ir/shape/index.js';
import { ReproError } from '../util/errors.js';
import { CouplingState, singleLayout } from './coupling-state.js';
import { RULES, type RuleCtx } from './coupling-rules.js';
import type { ChannelGroup } from './coupling-types.js';

export type { ChannelGroup, ConsumerRef, ParamRef, ProducerRef } from './coupling-types.js';
export { applyPermutation, removeChannels, checkPermutation } from './coupling-apply.js';

/** Nodes in dependency order without reordering `g.nodes` (the analysis must not mutate the graph). */
function topoOrder(g: Graph): Node[] {
  const { producer } = g.index();
  const done = new Set<Node>();
  const order: Node[] = [];
  for (const root of g.nodes) {
    const stack: Node[] = [root];
    while (stack.length) {
      const n = stack[stack.length - 1]!;
      if (done.has(n)) {
        stack.pop();
        continue;
      }
      const pending = n.inputs
        .map((i) => producer.get(i))
        .filter((p): p is Node => !!p && !done.has(p) && !stack.includes(p));
      if (pending.length) {
        stack.push(...pending);
        continue;
      }
      done.add(n);
      order.push(n);
      stack.pop();
    }
  }
  return order;
}

function isDefaultDomain(n: Node): boolean {
  return !n.domain || n.domain === 'ai.onnx';
}

/**
 * Why channels reaching `n` stay fixed. An op without a coupling rule is a barrier: its inputs are fixed here, and
 * its outputs carry no layout, so the layers after it never have their input columns rewritten either.
 */
function barrierReason(n: Node, known: boolean): string {
  if (known) return `read by ${n.opType} node '${n.name}' in a way the coupling analysis does not follow`;
  const op = isDefaultDomain(n) ? n.opType : `${n.domain}.${n.opType}`;
  return `read by ${op} node '${n.name}', an op the coupling analysis does not know (a barrier: channels on both sides stay fixed)`;
}

/** Shapes by value name from inference on a copy (symbolic batch; opaque ops' recorded shapes included). */
function valueShapes(g: Graph): Map<string, Dim[]> {
  const out = new Map<string, Dim[]>();
  try {
    for (const [k, t] of inferShapesDetailed(g.clone(true)).types) out.set(k, t.shape);
  } catch (e) {
    if (!(e instanceof ReproError)) throw e; // a graph shape inference refuses: rules fall back to recorded shapes
  }
  return out;
}

/** Every channel group of the graph (fixed ones included, with reasons). */
export function channelGroups(g: Graph): ChannelGroup[] {
  const st = new CouplingState();
  const refs = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) if (g.initializers.has(i)) refs.set(i, (refs.get(i) ?? 0) + 1);
  const ctx: RuleCtx = { g, st, refs, shapes: valueShapes(g) };
  for (const inp of g.inputs) {
    const shape = inp.shape;
    const ch = shape && shape.length >= 2 && typeof shape[1] === 'number' ? (shape[1] as number) : -1;
    const sp = st.newSpace(ch, `graph input '${inp.name}'`);
    st.setLayout(inp.name, singleLayout(sp, ch, shape?.length === 2 ? 'both' : 'ch1'));
  }
  for (const n of topoOrder(g)) {
    const rule = isDefaultDomain(n) ? RULES[n.opType] : undefined;
    const handled = rule ? rule(ctx, n) : [];
    n.inputs.forEach((v, i) => {
      if (v && !handled.includes(i)) st.fixValue(v, barrierReason(n, !!rule));
    });
  }
  for (const o of g.outputs) st.fixValue(o.name, `reaches graph output '${o.name}'`);
  // Values read by graph outputs' producers only matter through layouts; drop groups with nothing to rewrite.
  return st
    .groups()
    .filter((gr) => gr.producers.length + gr.params.length + gr.consumers.length > 0)
    .map((gr, id) => ({ ...gr, id }));
}

/**
 * A group's stable name: its producers' node names, sorted and joined with '+' (`layer1.0.conv1`, or `a+b` for a
 * residual stream). Survives permutations and cuts, so plans and per-group ratios can refer to it.
 */
export function groupKey(gr: ChannelGroup): string {
  const names = gr.producers
    .map((p) => p.node)
    .sort()
    .join('+');
  return gr.withinHeads ? `${names}#heads` : names;
}

/** Groups that may be permuted (not fixed) and have at least one producer. */
export function permutableGroups(g: Graph): ChannelGroup[] {
  return channelGroups(g).filter((gr) => !gr.fixed && gr.producers.length > 0);
}
