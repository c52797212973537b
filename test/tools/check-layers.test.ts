/** The layer checker catches what it exists to catch, and the real tree passes it. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
// @ts-expect-error: a plain .mjs script without type declarations
import { checkLayers, importsOf } from '../../scripts/check-layers.mjs';

const check = checkLayers as (src: string, tiers?: string[][]) => string[];

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'layers-'));
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), body);
  }
  return root;
}

test('an upward import, a sibling import and a cycle are each reported; a clean tree is clean', () => {
  const clean = tree({
    'util/a.ts': 'export const a = 1;\n',
    'ir/b.ts': "import { a } from '../util/a.js';\nexport const b = a;\n",
  });
  const bad = tree({
    'util/a.ts': "import { c } from '../cli/c.js';\nexport const a = c;\n",
    'cli/c.ts': 'export const c = 1;\n',
    'onnx/x.ts': "import type { y } from '../data/y.js';\nexport const x = 1;\n",
    'data/y.ts': 'export const y = 1;\n',
    'ir/p.ts': "export { q } from './q.js';\nexport const p = 1;\n",
    'ir/q.ts': "import { p } from './p.js';\nexport const q = p;\n",
  });
  try {
    assert.deepEqual(check(clean), []);
    const problems = check(bad);
    assert.ok(
      problems.some((p) => /util\/a\.ts imports cli\/c\.ts: 'util' \(tier 0\) may not import the higher 'cli'/.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /'onnx' and 'data' share tier/.test(p)),
      'type-only sibling import',
    );
    assert.ok(
      problems.some((p) => /import cycle of 2 files: ir\/p\.ts → ir\/q\.ts/.test(p)),
      'cycle',
    );
  } finally {
    rmSync(clean, { recursive: true, force: true });
    rmSync(bad, { recursive: true, force: true });
  }
});

test('dynamic imports count; imports inside comments do not', () => {
  assert.deepEqual(
    importsOf("const m = await import('../x.js');\n// import { y } from '../y.js';\n/* import '../z.js' */\n"),
    ['../x.js'],
  );
});

test('src/ runs one way: no upward import, no cycle', () => {
  assert.deepEqual(check(path.resolve('src')), []);
});
