/**
 * Large products on two cores: the calling thread computes the first rows of C, one helper thread (a worker, started
 * on first use and unref'd so it never keeps the process alive) the rest, from copies of its operands in shared
 * memory; the caller blocks on an Atomics flag until the helper is done, so gemmNT stays synchronous. Both run
 * gemm-kernel.ts on the same entries, so results are bit for bit those of one thread. Rows are split so each thread
 * gets half the multiply-adds (upper-triangle products have longer rows at the top).
 *
 * Anything unexpected — no second core, `setLinalgThreads(1)` (the CLI's --threads 1), a helper that cannot start or
 * does not answer — leaves the product on the calling thread.
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { gemmRows, type Product } from './gemm-kernel.js';

/** Below this many multiply-adds (~8 ms on one core) the hand-off is not worth it. */
const MIN_WORK_DEFAULT = 1 << 24;
/** Waiting ten times the product's expected time (≥ 1 G multiply-adds/s) means the helper is gone. */
const helperTimeoutMs = (work: number) => 30_000 + work / 1e5;

const MIN_K = 32;

let minWork = MIN_WORK_DEFAULT;
let threads = Math.min(2, os.availableParallelism());
/** undefined: not started yet; null: could not start (or stopped answering), never retried. */
let helper: { worker: Worker; ctrl: Int32Array } | null | undefined;

/** Threads for large products (1 = this thread only). The CLI passes --threads here as it does to ONNX Runtime. */
export function setLinalgThreads(n: number): void {
  threads = Math.max(1, Math.floor(n));
}

/** Products with at least this many multiply-adds are split (tests lower it to exercise the split on small sizes). */
export function setParallelMinWork(work: number | undefined): void {
  minWork = work ?? MIN_WORK_DEFAULT;
}

/**
 * The helper thread. From dist it is gemm-worker.js; from source (tests, `node --import tsx`) the worker does not
 * inherit tsx's loader, so a two-line bootstrap registers it before importing gemm-worker.ts.
 */
function newHelperWorker(ctrl: Int32Array): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./gemm-worker.js', import.meta.url), { workerData: { ctrl } });
  const url = new URL('./gemm-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); });`;
  return new Worker(boot, { eval: true, workerData: { ctrl } });
}

/**
 * Start the helper without waiting for it: products run on this thread until it has loaded (its module loading may
 * need this thread's event loop — under tsx it does — so blocking here for it could deadlock).
 */
function startHelper(): typeof helper {
  try {
    const ctrl = new Int32Array(new SharedArrayBuffer(8));
    const worker = newHelperWorker(ctrl);
    worker.unref();
    const gone = () => {
      if (helper?.worker === worker) helper = null;
    };
    worker.on('error', gone);
    worker.on('exit', gone);
    return { worker, ctrl };
  } catch {
    return null;
  }
}

const ready = (h: NonNullable<typeof helper>) => Atomics.load(h.ctrl, 1) === 1;

/** Resolves once the helper thread can take work (false when it cannot start): for tests and benches. */
export async function parallelReady(timeoutMs = 30_000): Promise<boolean> {
  if (threads < 2) return false;
  if (helper === undefined) helper = startHelper();
  const t0 = Date.now();
  while (helper && !ready(helper) && Date.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 10));
  return !!helper && ready(helper);
}

/** First row of the helper's share: half the work, a multiple of 4 (the kernel's blocks). */
function splitRow(m: number, n: number, upperOnly: boolean): number {
  let s = m / 2;
  if (upperOnly) {
    // Row i costs n − i entries: Σ_{i<s} (n − i) = half of Σ_{i<m} (n − i).
    const total = m * n - (m * m) / 2;
    s = n - Math.sqrt(Math.max(0, n * n - total));
  }
  return Math.min(m - (m % 4), Math.max(4, Math.round(s / 4) * 4));
}

/**
 * Shared buffers for the operands, reused from call to call and only ever grown (×1.5), held for the process's life
 * (at most about the largest product's operands: +0.15 GB on the ConvNeXt REAP run). Fresh buffers per call were
 * kept alive by the helper's stale references until its rare garbage collections: 11.5 GB peak RSS on a run that
 * needs 1.9 GB.
 */
const pool: Float64Array[] = [];

function slot(i: number, length: number): Float64Array {
  const cur = pool[i];
  if (cur && cur.length >= length) return cur;
  const grown = new Float64Array(new SharedArrayBuffer(Math.ceil(Math.max(length, (cur?.length ?? 0) * 1.5)) * 8));
  pool[i] = grown;
  return grown;
}

/** src[from..to) copied to the same positions of pool slot i. */
function shared(i: number, src: Float64Array, from: number, to: number, length: number): Float64Array {
  const out = slot(i, length);
  out.set(src.subarray(from, to), from);
  return out;
}

/** C += A·Btᵀ on two threads when it is worth it; false when the caller should compute it alone. */
export function gemmInParallel(p: Product): boolean {
  const { A, Bt, C, m, n, K, upperOnly } = p;
  // C's share is copied in and out: with few multiply-adds per entry (K < 32) the copies eat the gain.
  if (threads < 2 || m < 8 || K < MIN_K || m * n * K < minWork) return false;
  if (helper === undefined) helper = startHelper();
  if (!helper || !ready(helper)) return false;
  const s = splitRow(m, n, upperOnly);
  if (s >= m) return false;
  const a = shared(0, A, s * K, m * K, m * K);
  const bt = Bt === A ? a : shared(1, Bt, 0, n * K, n * K);
  if (Bt === A) a.set(A.subarray(0, s * K)); // the helper reads every row of Bt
  const c = shared(2, C, s * n, m * n, m * n);
  const { worker, ctrl } = helper;
  Atomics.store(ctrl, 0, 0);
  worker.postMessage({ A: a, Bt: bt, C: c, m, n, K, upperOnly, i0: s, i1: m });
  gemmRows(p, 0, s);
  const answered = Atomics.wait(ctrl, 0, 0, helperTimeoutMs(m * n * K)) !== 'timed-out' && Atomics.load(ctrl, 0) === 1;
  if (!answered) {
    helper = null;
    void worker.terminate();
    gemmRows(p, s, m);
    return true;
  }
  C.set(c.subarray(s * n, m * n), s * n);
  return true;
}
