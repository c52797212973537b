import {
  accuracyCurveSpec,
  costAccuracySpec,
  heatmapSpec,
  layerSparsitySpec,
  renderSvg,
  scalingSpec,
} from './charts.js';
import type { LayerSide, MethodResult, ModelChanges, RunResults } from './schema.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function fmtInt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(Math.round(n));
}
export const fmtPct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)} %`;

function summaryRow(m: MethodResult, base: MethodResult): string {
  const delta = m.accuracy - base.accuracy;
  // The paired speedup when the run measured one; otherwise the quotient of two separately timed medians.
  const speedup = m.speedup ?? (m.latencyMs && base.latencyMs && m !== base ? base.latencyMs / m.latencyMs : undefined);
  const macCut = m.macs > 0 && base.macs > 0 && m !== base ? base.macs / m.macs : undefined;
  const cells = [
    esc(m.label),
    fmtPct(m.accuracy),
    m === base ? '—' : `${delta >= 0 ? '+' : ''}${(100 * delta).toFixed(2)}`,
    fmtInt(m.params),
    fmtInt(m.nonzeros),
    m.params ? fmtPct(1 - m.nonzeros / m.params, 1) : '—',
    fmtInt(m.macs),
    `${(m.bytes / 1024).toFixed(1)} KiB`,
    m.latencyMs !== undefined ? m.latencyMs.toFixed(2) : '—',
    speedup !== undefined ? `${speedup.toFixed(2)}×` : '—',
    macCut !== undefined ? `${macCut.toFixed(2)}×` : '—',
    m.model ? `<code>${esc(m.model)}</code>` : '',
    esc(m.notes ?? ''),
  ];
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

/** Plain-text summary table for the terminal. */
export function summaryText(r: RunResults): string {
  const rows = [r.baseline, ...r.methods].map((m) => [
    m.label,
    fmtPct(m.accuracy),
    m === r.baseline ? '' : `${(100 * (m.accuracy - r.baseline.accuracy)).toFixed(2)}`,
    fmtInt(m.params),
    fmtInt(m.nonzeros),
    fmtInt(m.macs),
    m.latencyMs?.toFixed(2) ?? '',
    m.speedup !== undefined ? `${m.speedup.toFixed(2)}×` : '',
  ]);
  const head = ['method', 'accuracy', 'Δ pts', 'params', 'nonzeros', 'MACs', `ms/batch${r.latencyBatch}`, 'speedup'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const num = (x: number, digits = 4) => (x === 0 ? '0' : x < 1e-3 ? x.toExponential(2) : x.toFixed(digits));

/** Every compressed model's logits against the dense model's on the evaluation samples. */
function outputCheckSection(methods: MethodResult[]): string | undefined {
  const rows = methods.filter((m) => m.outputCheck);
  if (!rows.length) return undefined;
  const body = rows
    .map((m) => {
      const c = m.outputCheck!;
      return `<tr><td>${esc(m.label)}</td><td>${c.samples}</td><td>${num(c.maxAbs)}</td><td>${num(c.meanAbs)}</td><td>${fmtPct(c.top1Agreement)}</td></tr>`;
    })
    .join('\n');
  return `<h2>Output check against the dense model</h2>
<p class="meta">The same samples through both models: |Δlogits| over every sample and class, and how often the top-1 class is the same.</p>
<table class="check"><thead><tr><th>model</th><th>samples</th><th>max |Δlogits|</th><th>mean |Δlogits|</th><th>top-1 agreement</th></tr></thead>
<tbody>${body}</tbody></table>`;
}

const shapeOf = (s?: LayerSide) => (s ? `${s.op} [${s.weightShape.join('×')}]` : '—');
const cnt = (v: number | null | undefined) => (v === undefined ? '—' : v === null ? '?' : fmtInt(v));

function changesTable(label: string, c: ModelChanges): string {
  const layers = c.layers
    .map(
      (l) =>
        `<tr><td>${esc(l.name)}</td><td>${esc(shapeOf(l.before))}</td><td>${esc(shapeOf(l.after))}</td><td>${cnt(l.before?.params)}</td><td>${cnt(l.after?.params)}</td><td>${cnt(l.before?.nonzeros)}</td><td>${cnt(l.after?.nonzeros)}</td><td>${cnt(l.before?.macs)}</td><td>${cnt(l.after?.macs)}</td></tr>`,
    )
    .join('\n');
  const ops = c.ops
    .filter((o) => o.before !== o.after)
    .map((o) => `${esc(o.op)} ${o.before} → ${o.after}`)
    .join(', ');
  return `<details><summary>${esc(label)}</summary>
<p class="meta">ops changed: ${ops || 'none'}</p>
<table class="layers"><thead><tr><th>layer</th><th>before</th><th>after</th><th>params before</th><th>after</th><th>nonzeros before</th><th>after</th><th>MACs before</th><th>after</th></tr></thead>
<tbody>${layers}</tbody></table></details>`;
}

/** Before/after tables per compressed model: each layer's op and weight shape, params, nonzeros, MACs. */
function changesSection(methods: MethodResult[]): string | undefined {
  const rows = methods.filter((m) => m.changes);
  if (!rows.length) return undefined;
  return `<h2>Layers before and after</h2>\n${rows.map((m) => changesTable(m.label, m.changes!)).join('\n')}`;
}

/** One self-contained HTML file: tables and inline SVG charts, nothing fetched. */
export async function buildReportHtml(r: RunResults): Promise<string> {
  const sections: string[] = [];
  const all = [r.baseline, ...r.methods];
  sections.push(`<h2>Summary</h2>
<table><thead><tr><th>method</th><th>accuracy</th><th>Δ pts</th><th>params</th><th>nonzeros</th><th>sparsity</th><th>MACs</th><th>size</th><th>ms/batch (${r.latencyBatch})</th><th>speedup</th><th>MACs ÷</th><th>model</th><th>notes</th></tr></thead>
<tbody>${all.map((m) => summaryRow(m, r.baseline)).join('\n')}</tbody></table>`);
  const extras = r.methods.filter((m) => m.extra && Object.keys(m.extra).length);
  if (extras.length) {
    sections.push(
      `<h2>Method details</h2><ul>${extras
        .map(
          (m) =>
            `<li><b>${esc(m.label)}</b>: ${Object.entries(m.extra!)
              .map(([k, v]) => `${esc(k)} = ${esc(typeof v === 'number' ? `${+v.toPrecision(5)}` : String(v))}`)
              .join(', ')}</li>`,
        )
        .join('')}</ul>`,
    );
  }
  const checks = outputCheckSection(r.methods);
  if (checks) sections.push(checks);
  const charts: string[] = [];
  if (all.some((m) => m.params > 0)) charts.push(await renderSvg(costAccuracySpec(r.baseline, r.methods)));
  if (r.curves.length) charts.push(await renderSvg(accuracyCurveSpec(r.curves)));
  if (all.some((m) => m.layers?.length))
    charts.push(await renderSvg(layerSparsitySpec(all.filter((m) => m.layers?.length))));
  if (charts.length)
    sections.push(`<h2>Charts</h2><div class="charts">${charts.map((c) => `<figure>${c}</figure>`).join('')}</div>`);
  if (r.heatmaps.length) {
    const maps = await Promise.all(r.heatmaps.map((h) => renderSvg(heatmapSpec(h))));
    sections.push(
      `<h2>TileTrans: tiles before and after permutation</h2><div class="charts">${maps.map((c) => `<figure>${c}</figure>`).join('')}</div>`,
    );
  }
  const changes = changesSection(r.methods);
  if (changes) sections.push(changes);
  if (r.scaling.length)
    sections.push(`<h2>REAP scaling</h2><figure>${await renderSvg(scalingSpec(r.scaling))}</figure>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>reprune report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px;color:#222}
table{border-collapse:collapse;font-size:14px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
td:first-child,th:first-child,td:nth-last-child(-n+2){text-align:left}thead{background:#f3f3f3}
table.check td:nth-last-child(-n+2),table.layers td:nth-last-child(-n+2){text-align:right}
table.layers td:nth-child(2),table.layers td:nth-child(3){text-align:left}details{margin:.5rem 0}summary{cursor:pointer}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}figure{margin:0}code{font-size:12px}.meta{color:#666;font-size:13px}
</style></head><body>
<h1>reprune report</h1>
<p class="meta">${esc(r.dataset)} · ${esc(r.machine)} · ${esc(r.createdAt)}<br>reproduce: <code>${esc(r.command)}</code></p>
${sections.join('\n')}
</body></html>
`;
}
