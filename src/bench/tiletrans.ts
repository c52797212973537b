/**
 * `reprune bench tiletrans`: (1) accuracy after one-shot tile pruning without TileTrans, with the
 * paper's sort and with our search, per model × tile × sparsity (optionally after a short masked
 * fine-tune); (2) latency of lowered tile-sparse Gemms against dense in ORT. Writes Markdown + JSON.
 */
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../util/fs.js';
import * as path from 'node:path';
import { loadDataset } from '../data/sources.js';
import type { Graph } from '../ir/graph.js';
import { evaluate } from '../runtime/evaluate.js';
import { FINETUNE_RECIPE, recipeOptions } from '../train/recipes.js';
import { masksFromZeros, selectParams } from '../train/params.js';
import { trainModel } from '../train/trainer.js';
import { applyTileMasks } from '../passes/tile/prune.js';
import { parseTile } from '../passes/tile/pattern.js';
import { BENCH_DATA, trainedModel } from '../models/trained.js';
import { speedBench, type SpeedRow } from './tiletrans-speed.js';
import { compareTileTrans } from './tiletrans-compare.js';

export interface TileTransBenchOptions {
  archs?: string[];
  sparsities?: number[];
  tiles?: string[];
  evalLimit?: number;
  trainEpochs?: number;
  finetuneEpochs?: number;
  finetuneLimit?: number;
  speed?: boolean;
  accuracy?: boolean;
  outDir?: string;
  /** The command line, written into the Markdown so every number can be re-run. */
  command?: string;
  cacheDir?: string;
  log?: (s: string) => void;
}

export interface AccRow {
  arch: string;
  tile: string;
  sparsity: number;
  dense: number;
  identity: number;
  sort: number;
  search: number;
  keptIdentity: number;
  keptSort: number;
  keptSearch: number;
  ftIdentity?: number;
  ftSort?: number;
  ftSearch?: number;
}

const pct = (x: number | undefined) => (x === undefined ? '–' : (100 * x).toFixed(2));

export async function runTileTransBench(
  o: TileTransBenchOptions = {},
): Promise<{ accuracy: AccRow[]; speed: SpeedRow[]; markdown: string }> {
  const log = o.log ?? (() => {});
  const acc: AccRow[] = [];
  if (o.accuracy !== false) {
    for (const arch of o.archs ?? Object.keys(BENCH_DATA)) acc.push(...(await archRows(o, arch, log)));
  }
  const speed =
    o.speed === false
      ? []
      : await speedBench([1024, 4096], [0.5, 0.75, 0.9], { kind: 'tile', th: 128, tw: 1 }, 64, log);
  const markdown = toMarkdown(acc, speed);
  if (o.outDir) writeReport(o, o.outDir, markdown, acc, speed);
  return { accuracy: acc, speed, markdown };
}

/** What every tile/sparsity of one architecture shares: its trained model, evaluation and fine-tune data. */
interface ArchCtx {
  o: TileTransBenchOptions;
  arch: string;
  graph: Graph;
  dense: number;
  ev: (g: Graph) => Promise<number>;
  train: ReturnType<typeof loadDataset> | undefined;
}

/** Accuracy rows of one architecture: every tile shape × sparsity, pruned without, with sort and with search. */
async function archRows(o: TileTransBenchOptions, arch: string, log: (s: string) => void): Promise<AccRow[]> {
  const sparsities = o.sparsities ?? [0.3, 0.5, 0.7, 0.8, 0.9];
  const tiles = o.tiles ?? ['128x1', '1x128', '32x32'];
  const { graph, file: source } = await trainedModel(arch, {
    epochs: o.trainEpochs ?? 10,
    cacheDir: o.cacheDir,
    log,
  });
  const test = loadDataset(BENCH_DATA[arch]!, 'test');
  const train = o.finetuneEpochs
    ? loadDataset(BENCH_DATA[arch]!, 'train', { limit: o.finetuneLimit ?? 10000 })
    : undefined;
  const ev = async (g: Graph) => (await evaluate(g, test, { limit: o.evalLimit ?? 2000 })).accuracy;
  const dense = await ev(graph);
  log(`${arch} (${source}): dense accuracy ${pct(dense)}%`);
  const c: ArchCtx = { o, arch, graph, dense, ev, train };
  const rows: AccRow[] = [];
  for (const tile of tiles) {
    for (const s of sparsities) {
      const row = await tileRow(c, tile, s);
      log(
        `${arch} ${tile} s=${s}: acc identity ${pct(row.identity)} sort ${pct(row.sort)} search ${pct(row.search)}; kept ${pct(row.keptIdentity)}/${pct(row.keptSort)}/${pct(row.keptSearch)}`,
      );
      rows.push(row);
    }
  }
  return rows;
}

/** One tile shape and sparsity: accuracy (and, with fine-tuning, accuracy after a masked fine-tune) per permutation. */
async function tileRow(c: ArchCtx, tile: string, s: number): Promise<AccRow> {
  const { o, graph, ev, train } = c;
  const opts = { pattern: parseTile(tile), sparsity: s };
  const cmp = compareTileTrans(graph, opts);
  const bases = { identity: graph, sort: cmp.graphs.sort, search: cmp.graphs.search };
  const row: AccRow = {
    arch: c.arch,
    tile,
    sparsity: s,
    dense: c.dense,
    identity: 0,
    sort: 0,
    search: 0,
    keptIdentity: cmp.total.identity,
    keptSort: cmp.total.sort,
    keptSearch: cmp.total.search,
  };
  for (const k of ['identity', 'sort', 'search'] as const) {
    const g = applyTileMasks(bases[k], cmp.plans[k].layers);
    row[k] = await ev(g);
    if (train) {
      // The fine-tune keeps the pruned tiles at zero (masks from the zeros of the pruned model).
      const ft = await trainModel(g, train, {
        ...recipeOptions({ epochs: o.finetuneEpochs! }, FINETUNE_RECIPE),
        progress: false,
        masks: masksFromZeros(g, selectParams(g, undefined)),
      });
      row[k === 'identity' ? 'ftIdentity' : k === 'sort' ? 'ftSort' : 'ftSearch'] = await ev(ft.graph);
    }
  }
  return row;
}

/** tiletrans.md (with the command, so every number can be re-run) and tiletrans.json in `outDir`. */
function writeReport(
  o: TileTransBenchOptions,
  outDir: string,
  markdown: string,
  acc: AccRow[],
  speed: SpeedRow[],
): void {
  mkdirSync(outDir, { recursive: true });
  const command = o.command ?? 'reprune bench tiletrans';
  writeFileAtomic(
    path.join(outDir, 'tiletrans.md'),
    `# TileTrans: tile pruning with and without permutation\n\nCommand: \`${command}\` (test accuracy on the first ${o.evalLimit ?? 2000} test images, no retraining)\n\n${markdown}`,
  );
  writeFileAtomic(path.join(outDir, 'tiletrans.json'), `${JSON.stringify({ accuracy: acc, speed }, null, 1)}\n`);
}

function toMarkdown(acc: AccRow[], speed: SpeedRow[]): string {
  const out: string[] = [];
  if (acc.length) {
    const ft = acc.some((r) => r.ftIdentity !== undefined);
    out.push(
      `### Accuracy after one-shot tile pruning (%, no retraining${ft ? '; ft = after masked fine-tune' : ''})`,
      '',
      `| model | tile | sparsity | dense | none | sort | search | gain sort | gain search | importance kept none/sort/search |${ft ? ' ft none | ft sort | ft search |' : ''}`,
      `|---|---|---:|---:|---:|---:|---:|---:|---:|---|${ft ? '---:|---:|---:|' : ''}`,
    );
    for (const r of acc) {
      out.push(
        `| ${r.arch} | ${r.tile} | ${r.sparsity} | ${pct(r.dense)} | ${pct(r.identity)} | ${pct(r.sort)} | ${pct(r.search)} | ${(100 * (r.sort - r.identity)).toFixed(2)} | ${(100 * (r.search - r.identity)).toFixed(2)} | ${pct(r.keptIdentity)} / ${pct(r.keptSort)} / ${pct(r.keptSearch)} |` +
          (ft ? ` ${pct(r.ftIdentity)} | ${pct(r.ftSort)} | ${pct(r.ftSearch)} |` : ''),
      );
    }
    out.push('');
  }
  if (speed.length) {
    out.push(
      '### Lowered tile-sparse Gemm vs dense (ONNX Runtime CPU, batch 64, 128x1 tiles)',
      '',
      '| size | sparsity | dense ms | lowered ms | speedup | ideal | speedup/ideal | max rel err |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const r of speed)
      out.push(
        `| ${r.size}² | ${r.sparsity} | ${r.denseMs.toFixed(3)} | ${r.loweredMs.toFixed(3)} | ${r.speedup.toFixed(2)}× | ${r.ideal.toFixed(2)}× | ${r.efficiency.toFixed(2)} | ${r.maxRelErr.toExponential(1)} |`,
      );
    out.push('');
  }
  return out.join('\n');
}
