import assert from 'node:assert/strict';
import type { Graph } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { evaluateReference } from '../../src/ir/reference/index.js';
import type { OpCase } from './harness.js';

/** Reference evaluator vs ORT: same dims, values within `tol` relative (plus a tiny absolute floor). */
export function compareToOrt(
  c: OpCase,
  g: Graph,
  feeds: Record<string, Tensor>,
  outs: string[],
  ort: Record<string, Tensor>,
): void {
  const ref = evaluateReference(g, feeds);
  const tol = c.tol ?? 1e-5;
  outs.forEach((o, k) => {
    const r = ref[o]!,
      a = ort[o]!;
    assert.deepEqual(r.dims, a.dims, `reference dims of ${o}`);
    if (c.skipValues?.includes(k)) return;
    for (let i = 0; i < r.data.length; i++) {
      const want = Number(a.data[i]),
        got = r.data[i]!;
      const ok = Number.isNaN(want) ? Number.isNaN(got) : Math.abs(got - want) <= tol * Math.abs(want) + 1e-6;
      if (!ok) assert.fail(`${o}[${i}]: reference ${got}, ORT ${want}`);
    }
  });
}
