/**
 * `reprune info <model.onnx> [--json]`: per-layer table (name, op, weight shape, params, nonzeros,
 * MACs) and totals. With --json the same data is the only thing on stdout.
 */
import type { Command } from 'commander';
import type { Graph, ValueInfo } from '../../ir/graph.js';
import { loadModelChecked } from '../../onnx/prepare.js';
import { modelMetrics, type ModelMetrics } from '../../analysis/metrics.js';
import { unifyInfo, type UnifyInfo } from '../../passes/unify/info.js';
import { escapeStrings, safeJson } from '../../util/text.js';

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
}

function io(v: ValueInfo) {
  return { name: v.name, dtype: v.dtype, shape: v.shape ? [...v.shape] : null };
}

export function infoReport(file: string, g: Graph): InfoReport {
  const unify = unifyInfo(g);
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
  };
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
    l.name,
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
    `${fmt(t.macs)}${t.macsComplete ? '' : '+?'}`,
  ]);
  const table = renderTable(['layer', 'op', 'weight shape', 'params', 'nonzeros', 'sparsity', 'MACs/sample'], rows, 3);
  const foot = [
    '',
    'params = all float initializers except BatchNormalization running statistics' +
      (t.stateElements ? ` (${fmt(t.stateElements)} state elements not counted)` : ''),
    `effective MACs (nonzero weights only): ${fmt(t.effectiveMacs)}; serialized size: ${fmt(t.bytes)} bytes`,
  ];
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
  return [...head, table, ...foot].join('\n');
}

export function register(program: Command): void {
  program
    .command('info')
    .description('show layers, parameters, nonzeros and MACs of an ONNX model')
    .argument('<model>', 'ONNX model file')
    .option('--json', 'print the report as JSON on stdout')
    .action((file: string, opts: { json?: boolean }) => {
      const report = infoReport(file, loadModelChecked(file));
      // Names come from the file: escaped for the terminal in the table, \u-escaped (still the same JSON) with --json.
      process.stdout.write(opts.json ? `${safeJson(report, 2)}\n` : `${renderInfo(escapeStrings(report))}\n`);
    });
}
