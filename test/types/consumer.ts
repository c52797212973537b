/**
 * A library user's code, type-checked by scripts/pack-smoke.sh against the .d.ts files of the INSTALLED tarball
 * (`import ... from 'reprune'` resolved through package.json "exports"). Never run, only compiled.
 *
 * Each `@ts-expect-error` line is a mistake the published types must reject; if a type loosens so the mistake
 * compiles, the directive is unused and tsc fails, which is the point. Excluded from the repo's own tsconfig:
 * here 'reprune' must mean the packed package, not the sources.
 */
import {
  buildModel,
  evaluate,
  loadDataset,
  loadOnnx,
  modelMetrics,
  prune,
  reparam,
  ReproError,
  saveOnnx,
  type EvalResult,
  type Graph,
  type PruneOptions,
  type PruneResult,
  type ReparamOptions,
} from 'reprune';

export async function correctUse(file: string, out: string): Promise<number> {
  const g: Graph = loadOnnx(file);
  const permuted: Graph = (await reparam(g, { transform: 'tiletrans' })).graph;
  const tiled: PruneResult = await prune(permuted, {
    method: 'tile',
    sparsity: 0.7,
    tile: '32x32',
    tiletrans: 'search',
  });
  const channels = await prune(g, { method: 'l1', ratio: 0.5 });
  const folded = await reparam(channels.graph, { transform: 'fold-bn' });
  const wide = await reparam(folded.graph, { transform: 'lop-expand', rate: 4, seed: 1 });
  saveOnnx(tiled.graph, out);
  const test = loadDataset('mnist', 'test', { limit: 100 });
  const r: EvalResult = await evaluate(wide.graph, test, { batchSize: 50, limit: 100 });
  return r.accuracy + modelMetrics(buildModel('lenet5')).totals.macs;
}

export const options: PruneOptions[] = [
  { method: 'tile', sparsity: 0.5, pattern: '2:4' },
  { method: 'reap', ratio: 0.3 },
];
export const transforms: ReparamOptions[] = [{ transform: 'srn' }, { transform: 'lop-merge', allLinear: true }];

export function isUserError(e: unknown): boolean {
  return e instanceof ReproError && typeof e.message === 'string';
}

export async function mistakes(g: Graph): Promise<void> {
  // @ts-expect-error sparsity is a number, and 'tile' options have no 'sparsity: string'
  await prune(g, { method: 'tile', sparsity: 'x' });
  // @ts-expect-error no such pruning method
  await prune(g, { method: 'magic', ratio: 0.5 });
  // @ts-expect-error the options argument is required
  await prune(g);
  // @ts-expect-error no such transform
  await reparam(g, { transform: 'nope' });
  // @ts-expect-error misspelled option of lop-expand ('rate')
  await reparam(g, { transform: 'lop-expand', rates: 4 });
  // @ts-expect-error prune is async: the result is a Promise, not a PruneResult
  const notAwaited: PruneResult = prune(g, { method: 'l1', ratio: 0.5 });
  void notAwaited;
  // @ts-expect-error loadOnnx takes a file name
  loadOnnx(42);
  // @ts-expect-error saveOnnx(graph, file): arguments swapped
  saveOnnx('out.onnx', g);
  // @ts-expect-error evaluate needs a dataset
  await evaluate(g);
}
