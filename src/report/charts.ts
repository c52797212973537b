import type * as vl from 'vega-lite';
import type { CurvePoint, Heatmap, MethodResult, ScalingPoint } from './schema.js';

type Spec = vl.TopLevelSpec;

/**
 * Render a Vega-Lite spec to an SVG string in Node (no canvas, no network). vega and vega-lite are imported here,
 * on first use, because they are large and only the report needs them (`import 'reprune'` must stay fast).
 */
export async function renderSvg(spec: Spec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const base = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', config: { font: 'sans-serif' } } as const;

export function accuracyCurveSpec(points: CurvePoint[]): Spec {
  return {
    ...base,
    width: 460,
    height: 260,
    title: 'Accuracy vs sparsity',
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'sparsity', type: 'quantitative', title: 'sparsity', axis: { format: '.0%' } },
      y: {
        field: 'accuracy',
        type: 'quantitative',
        title: 'top-1 accuracy',
        scale: { zero: false },
        axis: { format: '.1%' },
      },
      color: { field: 'series', type: 'nominal', title: null, legend: WIDE_LEGEND },
    },
  } as Spec;
}

export function layerSparsitySpec(methods: MethodResult[]): Spec {
  const values = methods.flatMap((m) =>
    (m.layers ?? []).map((l) => ({
      method: m.label,
      layer: l.name,
      sparsity: l.params ? 1 - l.nonzeros / l.params : 0,
    })),
  );
  return {
    ...base,
    width: 460,
    title: 'Per-layer sparsity',
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'layer', type: 'nominal', title: null, sort: null },
      yOffset: { field: 'method' },
      x: { field: 'sparsity', type: 'quantitative', axis: { format: '.0%' }, scale: { domain: [0, 1] } },
      // Below the chart, one label per line and no length limit: long method names were cut off on the right.
      color: { field: 'method', type: 'nominal', title: null, legend: WIDE_LEGEND },
    },
  } as Spec;
}

/** A legend under the chart whose labels are never truncated (vega's default cuts them at 160 px). */
const WIDE_LEGEND = { orient: 'bottom', direction: 'vertical', labelLimit: 0 } as const;

/** The costs a report plots accuracy against: field, axis title, number format. */
const COSTS = [
  { field: 'macs', title: 'MACs per sample', format: '~s' },
  { field: 'size', title: 'size on disk (bytes)', format: '~s' },
  { field: 'latency', title: 'latency (ms per batch)', format: '.3~g' },
] as const;

/**
 * Accuracy against each cost (MACs, size on disk, measured latency), one point per model, the dense model drawn as a
 * larger diamond and labelled. Rows that failed (all zeros) are left out; a cost no row has is left out.
 */
export function costAccuracySpec(dense: MethodResult, methods: MethodResult[]): Spec {
  const rows = [dense, ...methods].filter((m) => m.params > 0);
  const values = rows.map((m) => ({
    label: m === dense ? `${m.label} (dense)` : m.label,
    dense: m === dense,
    accuracy: m.accuracy,
    macs: m.macs,
    size: m.fileBytes ?? m.bytes,
    latency: m.latencyMs ?? null,
  }));
  const costs = COSTS.filter((c) => values.some((v) => v[c.field] !== null && v[c.field] !== undefined));
  const panel = (c: (typeof COSTS)[number]) => ({
    width: 240,
    height: 220,
    layer: [
      {
        mark: { type: 'point', filled: true, opacity: 0.9 },
        encoding: {
          x: {
            field: c.field,
            type: 'quantitative',
            title: c.title,
            scale: { zero: false, padding: 14 },
            axis: { format: c.format },
          },
          y: {
            field: 'accuracy',
            type: 'quantitative',
            title: 'top-1 accuracy',
            scale: { zero: false, padding: 14 },
            axis: { format: '.2~%' },
          },
          color: { field: 'label', type: 'nominal', title: null, sort: null, legend: WIDE_LEGEND },
          shape: { condition: { test: 'datum.dense', value: 'diamond' }, value: 'circle' },
          size: { condition: { test: 'datum.dense', value: 220 }, value: 90 },
        },
      },
      {
        transform: [{ filter: 'datum.dense' }],
        mark: { type: 'text', dy: -12, fontSize: 11 },
        encoding: {
          x: { field: c.field, type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative' },
          text: { value: 'dense' },
        },
      },
    ],
  });
  return {
    ...base,
    title: 'Accuracy vs cost (one point per model; dense = diamond)',
    data: { values },
    hconcat: costs.map(panel),
  } as Spec;
}

export function heatmapSpec(h: Heatmap): Spec {
  const values = h.values.flatMap((row, r) => row.map((v, c) => ({ r, c, v, pruned: h.pruned[r]?.[c] ?? false })));
  return {
    ...base,
    width: 220,
    height: 220,
    title: { text: h.title, subtitle: `${h.layer}: tile importance, pruned tiles outlined` },
    data: { values },
    layer: [
      {
        mark: 'rect',
        encoding: {
          x: { field: 'c', type: 'ordinal', axis: null },
          y: { field: 'r', type: 'ordinal', axis: null },
          color: { field: 'v', type: 'quantitative', title: 'importance', scale: { scheme: 'viridis' } },
        },
      },
      {
        mark: { type: 'rect', filled: false, stroke: 'red', strokeWidth: 0.6 },
        transform: [{ filter: 'datum.pruned' }],
        encoding: { x: { field: 'c', type: 'ordinal' }, y: { field: 'r', type: 'ordinal' } },
      },
    ],
  } as Spec;
}

export function scalingSpec(points: ScalingPoint[]): Spec {
  return {
    ...base,
    width: 360,
    height: 240,
    title: 'REAP selection time vs layer width',
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'n', type: 'quantitative', title: 'neurons n', scale: { type: 'log', base: 2 } },
      y: { field: 'seconds', type: 'quantitative', title: 'seconds', scale: { type: 'log' } },
      color: { field: 'variant', type: 'nominal', title: null },
    },
  } as Spec;
}
