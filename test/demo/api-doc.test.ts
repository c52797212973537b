/** docs/API.md documents every export of the package (a new export fails here until it is written up). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

function exportedNames(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const names: string[] = [];
  for (const m of code.matchAll(/export\s*(?:type\s*)?\{([^}]*)\}/g)) {
    for (const raw of m[1]!.split(',')) {
      const part = raw.trim().replace(/^type\s+/, '');
      if (part)
        names.push(
          part
            .split(/\s+as\s+/)
            .at(-1)!
            .trim(),
        );
    }
  }
  return names;
}

test('every export of src/index.ts is named in docs/API.md', () => {
  const names = exportedNames(readFileSync('src/index.ts', 'utf8'));
  assert.ok(names.length > 100, `found only ${names.length} exports`);
  const doc = readFileSync('docs/API.md', 'utf8');
  const missing = names.filter((n) => !new RegExp(`\\b${n}\\b`).test(doc));
  assert.deepEqual(missing, []);
});
