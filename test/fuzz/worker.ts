/** Worker thread running fuzz cases [from, to); posts each index before running it so the parent can spot hangs. */
import { parentPort, workerData } from 'node:worker_threads';
import { runCase } from './cases.js';
import { seeds } from './seeds.js';

const { from, to, seed, modelDir } = workerData as { from: number; to: number; seed: number; modelDir: string };
const corpus = seeds();
for (let i = from; i < to; i++) {
  parentPort!.postMessage({ type: 'start', index: i });
  const r = runCase(corpus, i, seed, modelDir);
  // Bytes only travel for cases the parent may need to write out.
  parentPort!.postMessage({
    type: 'done',
    result: { ...r, bytes: r.outcome === 'loaded' && i % 50 !== 0 ? undefined : r.bytes },
  });
}
parentPort!.postMessage({ type: 'end' });
