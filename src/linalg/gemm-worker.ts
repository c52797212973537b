/**
 * The helper thread of gemm-parallel.ts: computes the rows of a product it is handed, in shared memory, with the
 * same kernel as the calling thread, then raises the job's flag.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { gemmRows, type Product } from './gemm-kernel.js';

type Job = Product & { i0: number; i1: number };

const ctrl = (workerData as { ctrl: Int32Array }).ctrl;
parentPort!.on('message', (j: Job) => {
  let state = 1;
  try {
    gemmRows(j, j.i0, j.i1);
  } catch {
    state = 2;
  }
  Atomics.store(ctrl, 0, state);
  Atomics.notify(ctrl, 0);
});
Atomics.store(ctrl, 1, 1);
Atomics.notify(ctrl, 1);
