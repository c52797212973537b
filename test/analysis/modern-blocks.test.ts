/**
 * Modern CNN structures (modern-blocks.ts): the coupling analysis groups their channels as the architecture
 * requires, every reparameterization (TileTrans, fold-bn, SRN, LOP expand → merge) preserves the function, and L1
 * channel pruning gives a graph ONNX Runtime runs, cutting exactly the groups its plan names (and only by the
 * counts it names) while groups that must stay fixed stay whole.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChannelGroup, channelGroups, groupKey } from '../../src/analysis/coupling.js';
import { prune } from '../../src/api/prune.js';
import { reparam } from '../../src/api/reparam.js';
import type { Graph } from '../../src/ir/graph.js';
import type { ChannelsPlan } from '../../src/passes/channels/pass.js';
import { prepareModel } from '../../src/runtime/shapes.js';
import { maxAbs, maxDiff, runOn } from './helpers.js';
import { modernBlocks } from './modern-blocks.js';

function groupWith(groups: ChannelGroup[], producer: string): ChannelGroup {
  const gr = groups.find((x) => x.producers.some((p) => p.node === producer));
  assert.ok(gr, `a group written by '${producer}'`);
  return gr;
}

async function assertSameFunction(a: Graph, b: Graph, tol: number, what: string): Promise<void> {
  const [fa, fb] = [await runOn(a), await runOn(b)];
  assert.equal(fa.length, fb.length, what);
  const d = maxDiff(fa, fb);
  assert.ok(d <= tol * maxAbs(fa), `${what}: max|f−g| = ${d}, max|f| = ${maxAbs(fa)}`);
}

/** Channels of every group by key. */
function sizes(g: Graph): Map<string, number> {
  return new Map(
    channelGroups(g)
      .filter((gr) => gr.producers.length)
      .map((gr) => [groupKey(gr), gr.size]),
  );
}

for (const block of modernBlocks()) {
  describe(`modern block: ${block.name}`, () => {
    const ready = prepareModel(block.graph); // shapes of ops reprune has no rule for (Resize, LayerNorm) from ORT

    test('coupling groups channels as the architecture requires', async () => {
      const g = (await ready).graph;
      const groups = channelGroups(g);
      for (const names of block.together) {
        const gr = groupWith(groups, names[0]!);
        assert.deepEqual(
          gr.producers.map((p) => p.node).sort(),
          [...names].sort(),
          `${names[0]} writes channels with exactly ${names.join(', ')}`,
        );
        assert.equal(gr.fixed, false, `${names.join('+')} is prunable: ${gr.reasons.join('; ')}`);
      }
      for (const f of block.fixed) {
        const gr = groupWith(groups, f.producer);
        assert.equal(gr.fixed, true, `${f.producer} must stay fixed`);
        assert.match(gr.reasons.join('; '), f.reason);
      }
    });

    for (const steps of [['tiletrans'], ['fold-bn'], ['srn'], ['lop-expand', 'lop-merge']] as const) {
      test(`${steps.join(' → ')} preserves the function`, async () => {
        const g = (await ready).graph;
        let cur = g;
        for (const t of steps) cur = (await reparam(cur, { transform: t } as Parameters<typeof reparam>[1])).graph;
        await assertSameFunction(g, cur, steps[0] === 'lop-expand' ? 1e-3 : 1e-4, steps.join(' → '));
      });
    }

    test('TileTrans permutes every group that is not fixed', async () => {
      const g = (await ready).graph;
      const r = await reparam(g, { transform: 'tiletrans' });
      const free = channelGroups(g).filter((gr) => !gr.fixed && gr.producers.length);
      assert.equal(r.summary.permuted, free.length, JSON.stringify(r.summary.fixed));
    });

    test('L1 pruning runs in ORT and cuts exactly what its plan says', async () => {
      const g = (await ready).graph;
      const before = sizes(g);
      const r = await prune(g, { method: 'l1', ratio: 0.5 });
      const plan = r.plan.steps.find((s) => s.pass === 'channels') as ChannelsPlan;
      const cut = new Map(plan.cuts.map((c) => [c.group, c.keep.length]));
      assert.ok(cut.size > 0, 'something is prunable');
      const after = sizes(r.graph);
      for (const [key, n] of before) {
        const want = cut.get(key) ?? n;
        assert.equal(after.get(key), want, `group ${key}: ${n} → ${after.get(key)}, plan says ${want}`);
      }
      for (const f of block.fixed) {
        const key = groupKey(groupWith(channelGroups(g), f.producer));
        assert.ok(!cut.has(key), `fixed group ${key} is not cut`);
        assert.ok(plan.report.skipped[key], `fixed group ${key} is reported with its reason`);
      }
      const out = await runOn(r.graph);
      assert.ok(out.every(Number.isFinite), 'the pruned model runs in ONNX Runtime');
      assert.ok(r.summary.macsAfter < r.summary.macsBefore, 'MACs really drop');
    });
  });
}
