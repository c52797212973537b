/** The library's prune options reach the passes (a spec option the API drops would be a flag that does nothing), and its summaries say what they claim. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prune, pruneSteps } from '../../src/api/prune.js';
import { buildModel } from '../../src/models/index.js';
import { passSpec } from '../../src/passes/registry.js';

test('every public channels option given to prune() reaches the channels step', () => {
  const spec = passSpec('channels');
  // Options the API names differently (criterion is `method`) or sets itself (referenceCost, hidden).
  const renamed = new Set(['criterion', 'referenceCost']);
  const keys = Object.entries(spec.options)
    .filter(([k, o]) => !renamed.has(k) && !o.hidden)
    .map(([k]) => k);
  assert.ok(keys.includes('proSamples') && keys.includes('proStep'));
  // A distinct value per option, whatever its type: the step must carry it unchanged.
  const given = Object.fromEntries(keys.map((k, i) => [k, spec.options[k]!.type === 'list' ? [`n${i}`] : i + 1]));
  const steps = pruneSteps({ method: 'reap', ...given });
  const channels = steps.find((s) => s.pass === 'channels');
  assert.ok(channels, 'a channels step');
  for (const k of keys) assert.deepEqual((channels.options as Record<string, unknown>)[k], given[k], k);
});

test("the 'identity' importance TileTrans is compared with is what tile pruning of the unpermuted model keeps", async () => {
  const g = buildModel('lenet5', { seed: 2 });
  const base = { method: 'tile' as const, sparsity: 0.6, tile: '4x1' };
  const plain = await prune(g, base);
  const permuted = await prune(g, { ...base, tiletrans: 'sort' });
  const s = permuted.summary as { tiletrans?: { importanceKept: Record<string, number> } };
  assert.equal(s.tiletrans?.importanceKept.identity, (plain.summary as { importanceKept: number }).importanceKept);
  assert.ok(s.tiletrans!.importanceKept.sort! > s.tiletrans!.importanceKept.identity!);
});
