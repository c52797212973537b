/**
 * Long fuzz runs outside the test suite, to look for new findings:
 *   node --import tsx test/fuzz/explore.ts [cases=20000] [seed=1]
 * Prints every finding (case index, seed model, mutations, error) and a summary; reproducers go to a temp folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeModelDir, runCase } from './cases.js';
import { seeds } from './seeds.js';

const cases = Number(process.argv[2] ?? 20000);
const seed = Number(process.argv[3] ?? 1);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-explore-'));
const dir = makeModelDir(root);
const corpus = seeds();
const counts = { loaded: 0, refused: 0, finding: 0 };
const distinct = new Map<string, number>();
for (let i = 0; i < cases; i++) {
  const r = runCase(corpus, i, seed, dir);
  counts[r.outcome]++;
  if (r.outcome !== 'finding') continue;
  const key = r.detail.split(' | ').slice(0, 2).join(' | ');
  if (!distinct.has(key)) {
    fs.writeFileSync(path.join(root, `finding-${i}.onnx`), r.bytes);
    console.log(`case ${i} (${r.seed}; ${r.mutations.join('+')}): ${r.detail}`);
  }
  distinct.set(key, (distinct.get(key) ?? 0) + 1);
}
console.log(
  `${cases} cases (seed ${seed}): ${JSON.stringify(counts)}, ${distinct.size} distinct findings; reproducers in ${root}`,
);
