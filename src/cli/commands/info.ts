/**
 * `reprune info <model.onnx> [--json]`: per-layer table (name, op, weight shape, params, nonzeros,
 * MACs) and totals. With --json the same data is the only thing on stdout.
 */
import type { Command } from 'commander';
import { channelGroups, groupKey } from '../../analysis/coupling.js';
import type { Graph, ValueInfo } from '../../ir/graph.js';
import { hasShapeRule, opName } from '../../ir/shape/index.js';
import { modelMetrics, type ModelMetrics } from '../../analysis/metrics.js';
import { unifyInfo, type UnifyInfo } from '../../passes/unify/info.js';
import { escapeStrings, oneLine, safeJson } from '../../util/text.js';
import type { PreparedModel } from '../../runtime/shapes.js';
import { addInputShapeOption, type InputShapeFlags, loadModelFor, preparationNotes } from '../model-input.js';

/** An op reprune has no shape rule for: where its shapes came from and which channel groups it keeps fixed. */
export interface OpaqueOp {
  node: string;
  op: string;
  /** 'onnx-runtime' (learned by a run), 'file' (the model's value info) or 'unknown'. */
  shapes: 'onnx-runtime' | 'file' | 'unknown';
  /** Channel groups (by key, with size) that cannot be permuted or pruned because of this op. */
  blocked: string[];
}

export interface InfoReport extends ModelMetrics {
  file: string;
  graph: string;
  opset: number;
  irVersion: number;
  producer: string;
  nodes: number;
  inputs: Array<{ name: string; dtype: string; shape: Array<number | string> | null }>;
  outputs: Array<{ name: string; dtype: string; shape: Array<number | string> | null }>;
  /** Block unification (from `reprune unify`), when the model has it. */
  unify?: UnifyInfo;
  /** Ops without a reprune shape rule (passed through), when there are any. */
  opaque?: OpaqueOp[];
  /** How the model was read: bound input dims, shapes from ONNX Runtime, what is still unknown. */
  notes?: string[];
}

function io(v: ValueInfo) {
  return { name: v.name, dtype: v.dtype, shape: v.shape ? [...v.shape] : null };
}

/** Every op without a shape rule, with the source of its shapes and the channel groups it blocks. */
export function opaqueOps(g: Graph, prepared?: PreparedModel): OpaqueOp[] {
  const nodes = g.nodes.filter((n) => !hasShapeRule(n));
  if (nodes.length === 0) return [];
  const groups = channelGroups(g).filter((gr) => gr.fixed && gr.producers.length > 0);
  const learned = new Set(prepared?.shapes.learned ?? []);
  return nodes.map((n) => {
    const out = n.outputs[0] ?? '';
    const shapes = learned.has(out) ? 'onnx-runtime' : g.valueInfo.get(out)?.shape ? 'file' : 'unknown';
    const blocked = groups
      .filter((gr) => gr.reasons.some((r) => r.includes(`node '${n.name}'`)))
      .map((gr) => `${groupKey(gr)} (${gr.size} channels)`);
    return { node: n.name, op: opName(n), shapes, blocked };
  });
}

export function infoReport(file: string, g: Graph, prepared?: PreparedModel): InfoReport {
  const unify = unifyInfo(g);
  const opaque = opaqueOps(g, prepared);
  const notes = prepared ? preparationNotes(prepared) : [];
  return {
    file,
    graph: g.name,
    opset: g.opset,
    irVersion: g.irVersion,
    producer: [g.producerName, g.producerVersion].filter(Boolean).join(' '),
    nodes: g.nodes.length,
    inputs: g.inputs.map(io),
    outputs: g.outputs.map(io),
    ...modelMetrics(g),
    ...(unify ? { unify } : {}),
    ...(opaque.length ? { opaque } : {}),
    ...(notes.length ? { notes } : {}),
  };
}

/** Lines about ops without a shape rule and about how the model was read. */
function opaqueLines(r: InfoReport): string[] {
  const out: string[] = [];
  for (const n of r.notes ?? []) out.push(`note: ${oneLine(n)}`);
  if (r.opaque?.length) out.push('ops without a reprune shape rule (passed through to ONNX Runtime):');
  for (const o of r.opaque ?? []) {
    const shapes =
      o.shapes === 'onnx-runtime'
        ? 'shapes from ONNX Runtime'
        : o.shapes === 'file'
          ? 'shapes from the file'
          : 'shapes unknown';
    const blocked = o.blocked.length ? `keeps fixed: ${o.blocked.join(', ')}` : 'blocks no channel group';
    out.push(oneLine(`  ${o.node} (${o.op}): ${shapes}; ${blocked}`));
  }
  return out;
}

/**
 * One line when some conv's channel counts are not multiples of 8: ORT's blocked (NCHWc) conv kernels work on
 * groups of 8 channels, so such layers fall back to slower paths. Depthwise convs and a stem's 1–4 input channels
 * are not counted.
 */
export function channelRoundingNote(layers: ModelMetrics['layers']): string | undefined {
  const odd = layers.filter((l) => {
    if (l.op !== 'Conv' || l.weightShape.length !== 4) return false;
    const [cout, cin] = l.weightShape as [number, number];
    return cout % 8 !== 0 || (cin > 4 && cin % 8 !== 0);
  });
  if (odd.length === 0) return undefined;
  const e = odd[0]!;
  return `note: ${odd.length} conv${odd.length > 1 ? 's have' : ' has'} channel counts that are not multiples of 8 (e.g. ${oneLine(e.name)} ${shapeStr(e.weightShape.slice(0, 2))}); ORT's fastest conv kernels want multiples of 8: prune with --round-to 8`;
}

const fmt = (n: number | null): string => (n === null ? '?' : n.toLocaleString('en-US'));
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const shapeStr = (s: ReadonlyArray<number | string> | null): string => (s ? `[${s.join(', ')}]` : '[?]');

/** Fixed-width text table; numeric columns (from index `firstNumeric`) are right-aligned. */
export function renderTable(header: string[], rows: string[][], firstNumeric: number): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c >= firstNumeric ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.slice(0, -1).map(line), rule, line(rows[rows.length - 1]!)].join('\n');
}

export function renderInfo(r: InfoReport): string {
  const t = r.totals;
  const head = [
    `${r.file}: graph '${r.graph}', opset ${r.opset}, IR ${r.irVersion}${r.producer ? `, from ${r.producer}` : ''}, ${r.nodes} nodes`,
    ...r.inputs.map((v) => `  input  ${v.name} ${v.dtype} ${shapeStr(v.shape)}`),
    ...r.outputs.map((v) => `  output ${v.name} ${v.dtype} ${shapeStr(v.shape)}`),
    '',
  ];
  const rows = r.layers.map((l) => [
    oneLine(l.name),
    l.op,
    shapeStr(l.weightShape),
    fmt(l.params),
    fmt(l.nonzeros),
    pct(l.sparsity),
    fmt(l.macs),
  ]);
  rows.push([
    `total (${t.layers} layers)`,
    '',
    '',
    fmt(t.params),
    fmt(t.nonzeros),
    pct(t.sparsity),
    t.macsComplete ? fmt(t.macs) : '?',
  ]);
  const table = renderTable(['layer', 'op', 'weight shape', 'params', 'nonzeros', 'sparsity', 'MACs/sample'], rows, 3);
  return [...head, table, ...footLines(r)].join('\n');
}

/** The lines under the table: how params and MACs are counted, what is incomplete or off the fast path, unification. */
function footLines(r: InfoReport): string[] {
  const t = r.totals;
  const foot = [
    '',
    'params = float weights as PyTorch counts them (a shared initializer once per node reading it; no BatchNorm running statistics, Clip/Pad settings or arithmetic scalars)' +
      (t.stateElements ? ` (${fmt(t.stateElements)} state elements not counted)` : ''),
    `effective MACs (nonzero weights only): ${fmt(t.effectiveMacs)}; serialized size: ${fmt(t.bytes)} bytes`,
  ];
  if (t.activationMacs)
    foot.push(
      `the total includes ${fmt(t.activationMacs)} MACs of MatMuls between two activations (attention's q·kᵀ and ·v), not in the layer rows`,
    );
  if (!t.macsComplete && t.macsMissing) foot.push(`MACs are incomplete: ${t.macsMissing}`);
  const rounding = channelRoundingNote(r.layers);
  if (rounding) foot.push(rounding);
  foot.push(...opaqueLines(r));
  const u = r.unify;
  if (u) {
    foot.push(
      `unified blocks (${u.block}): ${fmt(u.unified)} unified + ${fmt(u.pruned)} pruned of ${fmt(u.blocks)} blocks` +
        (u.layers.every((l) => l.consistent)
          ? ''
          : `; weights changed since unification in ${u.layers
              .filter((l) => !l.consistent)
              .map((l) => l.weight)
              .join(', ')}`),
    );
    for (const l of u.layers)
      foot.push(`  ${l.weight}: ${fmt(l.unified)} unified, ${fmt(l.pruned)} pruned of ${fmt(l.blocks)}`);
  }
  return foot;
}

export function register(program: Command): void {
  const cmd = program
    .command('info')
    .description('show layers, parameters, nonzeros and MACs of an ONNX model')
    .argument('<model>', 'ONNX model file')
    .option('--json', 'print the report as JSON on stdout');
  addInputShapeOption(cmd).action(async (file: string, opts: { json?: boolean } & InputShapeFlags) => {
    const prepared = await loadModelFor(file, opts);
    const report = infoReport(file, prepared.graph, prepared);
    // Names come from the file: escaped for the terminal in the table, \u-escaped (still the same JSON) with --json.
    process.stdout.write(opts.json ? `${safeJson(report, 2)}\n` : `${renderInfo(escapeStrings(report))}\n`);
  });
}
