import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../src/models/index.js';
import { gemmViews, readGemmMatrix } from '../../src/ir/gemm-view.js';
import { parsePattern, parseTile } from '../../src/passes/tile/pattern.js';
import { planTilePrune, tilePrune } from '../../src/passes/tile/prune.js';
import { nmSelect, selectTiles, tileSums } from '../../src/passes/tile/select.js';
import { couplingZoo } from '../analysis/graphs.js';

describe('patterns', () => {
  test('parse', () => {
    assert.deepEqual(parseTile('128x1'), { kind: 'tile', th: 128, tw: 1 });
    assert.deepEqual(parsePattern('2:4'), { kind: 'nm', n: 2, m: 4 });
    assert.throws(() => parseTile('0x3'), /--tile/);
    assert.throws(() => parsePattern('4:2'), /--pattern/);
  });

  test('partial edge tiles are sized correctly and the target is met', () => {
    const imp = Float32Array.from({ length: 10 * 7 }, (_, i) => (i * 37) % 11);
    const gr = tileSums(imp, 10, 7, 4, 3);
    assert.equal(gr.nr, 3);
    assert.equal(gr.nc, 3);
    assert.equal(
      gr.sums.reduce((a, b) => a + b, 0),
      imp.reduce((a, b) => a + b, 0),
    );
    const pruned = selectTiles([gr], 0.5)[0]!;
    assert.ok(pruned.some((x) => x) && pruned.some((x) => !x));
  });
});

describe('tile pruning of a model', () => {
  for (const [tile, th, tw] of [
    ['4x2', 4, 2],
    ['128x1', 128, 1],
    ['1x128', 1, 128],
    ['element', 1, 1],
  ] as const) {
    test(`every kept/pruned ${tile} tile is whole`, () => {
      const { graph: g, plan } = tilePrune(buildModel('lenet5', { seed: 1 }), {
        pattern: { kind: 'tile', th, tw },
        sparsity: 0.6,
      });
      assert.ok(Math.abs(plan.sparsity - 0.6) < 0.05, `sparsity ${plan.sparsity}`);
      for (const v of gemmViews(g)) {
        const w = readGemmMatrix(g.initializers.get(v.weight)!, v);
        for (let b = 0; b < Math.ceil(v.rows / th); b++)
          for (let cb = 0; cb < Math.ceil(v.cols / tw); cb++) {
            let zeros = 0,
              n = 0;
            for (let r = b * th; r < Math.min(v.rows, (b + 1) * th); r++)
              for (let c = cb * tw; c < Math.min(v.cols, (cb + 1) * tw); c++) {
                n++;
                if (w[r * v.cols + c] === 0) zeros++;
              }
            assert.ok(zeros === 0 || zeros === n, `${v.node.name} tile (${b},${cb}) is partly pruned`);
          }
      }
    });
  }

  test('per-layer scope gives every layer the target', () => {
    const plan = planTilePrune(couplingZoo(), {
      pattern: { kind: 'tile', th: 2, tw: 2 },
      sparsity: 0.5,
      scope: 'layer',
    });
    for (const l of plan.layers) assert.ok(Math.abs(l.sparsity - 0.5) < 0.2, `${l.node}: ${l.sparsity}`);
  });

  test('N:M holds in every group', () => {
    const { graph: g, plan } = tilePrune(buildModel('mlp', { seed: 1 }), {
      pattern: { kind: 'nm', n: 2, m: 4 },
      sparsity: 0,
    });
    assert.ok(Math.abs(plan.sparsity - 0.5) < 0.01);
    for (const v of gemmViews(g)) {
      const w = readGemmMatrix(g.initializers.get(v.weight)!, v);
      for (let r = 0; r < v.rows; r++)
        for (let c0 = 0; c0 < v.cols; c0 += 4) {
          let nz = 0;
          for (let c = c0; c < Math.min(v.cols, c0 + 4); c++) if (w[r * v.cols + c] !== 0) nz++;
          assert.ok(nz <= 2, `${v.node.name} row ${r} group ${c0} keeps ${nz}`);
        }
    }
  });

  test('nmSelect keeps the largest', () => {
    const { mask, kept } = nmSelect(Float32Array.from([1, 5, 3, 2, 9, 0]), 1, 6, 1, 3);
    assert.deepEqual([...mask], [0, 1, 0, 0, 1, 0]);
    assert.equal(kept, 14);
  });

  test('taylor without gradients is a clear error', () => {
    assert.throws(
      () =>
        planTilePrune(buildModel('mlp'), {
          pattern: { kind: 'tile', th: 1, tw: 1 },
          sparsity: 0.5,
          importance: 'taylor',
        }),
      /taylor/,
    );
  });
});
