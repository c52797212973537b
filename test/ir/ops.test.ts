/**
 * Every supported op, several attribute settings each: shape inference (symbolic and fixed batch) must equal
 * ORT's actual output shapes and dtypes, and the float64 reference evaluator must agree with ORT's values.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inferShapes, shapeOf, dtypeOf, SUPPORTED_OPS } from '../../src/ir/shape/index.js';
import { compile } from '../../src/runtime/session.js';
import { BATCH, caseGraph, type OpCase } from './harness.js';
import { OP_CASES } from './cases.js';
import { compareToOrt } from './compare.js';

const CASES: OpCase[] = OP_CASES;

describe('ops vs ONNX Runtime', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const { g, feeds, outs } = caseGraph(c);
      const fixed = g.clone();
      inferShapes(g);
      inferShapes(fixed, { batch: BATCH });
      const forOrt = g.clone();
      forOrt.valueInfo.clear();
      for (const o of forOrt.outputs) delete o.shape;
      const ort = await (await compile(forOrt)).run(feeds);
      for (const o of outs) {
        const actual = ort[o]!;
        assert.deepEqual(shapeOf(fixed, o), actual.dims, `fixed-batch shape of ${o}`);
        assert.equal(dtypeOf(g, o), actual.dtype, `dtype of ${o}`);
        const sym = shapeOf(g, o);
        assert.equal(sym.length, actual.dims.length, `rank of ${o}`);
        sym.forEach((d, i) => {
          if (typeof d === 'number') assert.equal(d, actual.dims[i], `dim ${i} of ${o}: ${JSON.stringify(sym)}`);
          else if (d === 'N') assert.equal(actual.dims[i], BATCH, `dim ${i} of ${o} is N`);
        });
      }
      compareToOrt(c, g, feeds, outs, ort);
    });
  }
});

test('every supported op has a test case', () => {
  const covered = new Set(CASES.map((c) => c.op));
  assert.deepEqual(
    SUPPORTED_OPS.filter((op) => !covered.has(op)),
    [],
  );
});
