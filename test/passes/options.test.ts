/** Options checked against a pass's schema: strict values, named errors, defaults; the registry's lookups. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flagNamer } from '../../src/cli/pass-flags.js';
import { resolveOptions } from '../../src/passes/options.js';
import { loadPass, passNames, passSpec, passSpecs } from '../../src/passes/registry.js';
import { ReproError } from '../../src/util/errors.js';

const channels = passSpec('channels');

test('defaults are filled, strings converted, lists split', () => {
  const o = resolveOptions(channels, { criterion: 'reap', ratio: '0.25', skip: 'a, b,,c' });
  assert.deepEqual(o, {
    criterion: 'reap',
    ratio: 0.25,
    skip: ['a', 'b', 'c'],
    pruneHidden: false,
    seed: 0,
    calib: 2000,
    roundTo: 0,
  });
});

test('bad values name the option (as a key in the library, as a flag on the command line)', () => {
  for (const [raw, re] of [
    [{ ratio: '' }, /^ratio '': expected a number in \[0, 0\.99\]$/],
    [{ ratio: '1e' }, /ratio 1e: expected a number/],
    [{ ratio: 1.5 }, /ratio 1\.5: expected a number in \[0, 0\.99\]/],
    [{ calib: 2.5 }, /calib 2\.5: expected an integer/],
    [{ criterion: 'l3' }, /criterion l3: choose one of l1, l2, random, reap, nu/],
    [{ ratio: Number.NaN }, /ratio NaN/],
  ] as const) {
    assert.throws(
      () => resolveOptions(channels, raw as Record<string, unknown>),
      (e: unknown) => e instanceof ReproError && re.test(e.message),
      JSON.stringify(raw),
    );
  }
  assert.throws(
    () => resolveOptions(channels, { budgetMacs: '2' }, flagNamer),
    /--budget-macs 2: expected a number in \[0\.000001, 1\]/,
  );
  assert.throws(() => resolveOptions(channels, { criterion: 'x' }, flagNamer), /--method x: choose one of/);
});

test('an unknown option is refused with the list of known ones', () => {
  assert.throws(
    () => resolveOptions(channels, { ratoi: 0.5 }),
    /pass 'channels': unknown option 'ratoi'; known: criterion, ratio,/,
  );
});

test('a failed lookup lists every pass; every spec is well formed', async () => {
  assert.throws(
    () => passSpec('nope'),
    (e: unknown) => e instanceof ReproError && e.message.includes(passNames().join(', ')),
  );
  await assert.rejects(loadPass('nope'), /no pass named 'nope'/);
  for (const s of passSpecs()) {
    assert.match(s.name, /^[a-z][a-z-]*$/);
    assert.ok(['reparam', 'prune', 'train'].includes(s.kind));
    const pass = await loadPass(s.name);
    assert.equal(pass.name, s.name, 'the implementation carries its own spec');
    // Defaults satisfy their own schema.
    const defaults = Object.fromEntries(
      Object.entries(s.options)
        .filter(([, o]) => o.default !== undefined)
        .map(([k, o]) => [k, o.default]),
    );
    assert.deepEqual(resolveOptions(s, defaults), resolveOptions(s, {}));
  }
});
