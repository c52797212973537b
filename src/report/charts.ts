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
      color: { field: 'series', type: 'nominal', title: null },
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
      color: { field: 'method', type: 'nominal', title: null },
    },
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
