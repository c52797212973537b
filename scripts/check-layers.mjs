#!/usr/bin/env node
/**
 * The one-way house, checked: every import under src/ must point to the same folder or to a lower tier, and
 * no files (or folders inside a tier) may import each other in a circle. Run `node scripts/check-layers.mjs`
 * (exit 1 and one line per violation) or import `checkLayers` (tests run it on a deliberately bad tree).
 *
 * Type-only imports count too: a type from a higher tier is still knowledge of that tier.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Lowest tier first. Folders in one tier must not import each other; a file may import its own folder. */
export const TIERS = [
  ['util'],
  ['ir'],
  ['onnx', 'data', 'linalg'],
  ['analysis', 'autodiff'],
  ['runtime'],
  ['train'],
  ['models'],
  ['passes'],
  ['report'],
  ['api'],
  ['demo', 'bench'],
  ['index.ts'],
  ['cli'],
];

const IMPORT_FROM = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g;
const BARE_IMPORT = /(?:^|[\s;])import\s*['"]([^'"]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Relative import specifiers of one source file. */
export function importsOf(source) {
  const code = stripComments(source);
  const specs = [];
  for (const re of [IMPORT_FROM, BARE_IMPORT, DYNAMIC_IMPORT]) {
    re.lastIndex = 0;
    for (let m = re.exec(code); m; m = re.exec(code)) if (m[1].startsWith('.')) specs.push(m[1]);
  }
  return specs;
}

function listTs(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveSpec(fromFile, spec, files) {
  const base = path.resolve(path.dirname(fromFile), spec);
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    path.join(base, 'index.ts'),
  ];
  return candidates.find((c) => files.has(c));
}

/** 'passes/tile/prune.ts' → { top: 'passes', folder: 'passes/tile' }; a file directly in src is its own top. */
function placeOf(rel) {
  const parts = rel.split('/');
  return { top: parts[0], folder: parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0] };
}

/** Strongly connected components with more than one member (Tarjan, iterative). */
export function cycles(graph) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const out = [];
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work = [[root, 0]];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1];
      const [v, i] = top;
      const succ = [...(graph.get(v) ?? [])];
      if (i < succ.length) {
        top[1]++;
        const w = succ[i];
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(v)));
      }
      if (low.get(v) === index.get(v)) {
        const comp = [];
        let w;
        do {
          w = stack.pop();
          onStack.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1) out.push(comp.sort());
      }
    }
  }
  return out;
}

function tierOf(top, tiers) {
  return tiers.findIndex((t) => t.includes(top));
}

/** Every violation of the tiers under `srcDir`, as one-line strings (empty = clean). */
export function checkLayers(srcDir, tiers = TIERS) {
  const files = new Set(listTs(path.resolve(srcDir)));
  const rel = (f) => path.relative(path.resolve(srcDir), f).split(path.sep).join('/');
  const problems = [];
  const fileGraph = new Map();
  const folderGraph = new Map();
  for (const f of files) {
    const from = placeOf(rel(f));
    const fromTier = tierOf(from.top, tiers);
    if (fromTier < 0)
      problems.push(`${rel(f)}: folder '${from.top}' is in no tier; add it to TIERS in scripts/check-layers.mjs`);
    const edges = new Set();
    for (const spec of importsOf(readFileSync(f, 'utf8'))) {
      const target = resolveSpec(f, spec, files);
      if (!target) continue;
      edges.add(target);
      const to = placeOf(rel(target));
      const toTier = tierOf(to.top, tiers);
      // Sub-folders of one top folder must not form circles; the top folder's own files (registries,
      // shared types) may be used by and may use its sub-folders.
      if (to.folder !== from.folder && to.folder !== to.top && from.folder !== from.top) {
        if (!folderGraph.has(from.folder)) folderGraph.set(from.folder, new Set());
        folderGraph.get(from.folder).add(to.folder);
      }
      if (fromTier < 0 || toTier < 0 || to.top === from.top) continue;
      if (toTier > fromTier)
        problems.push(
          `${rel(f)} imports ${rel(target)}: '${from.top}' (tier ${fromTier}) may not import the higher '${to.top}' (tier ${toTier})`,
        );
      else if (toTier === fromTier)
        problems.push(
          `${rel(f)} imports ${rel(target)}: '${from.top}' and '${to.top}' share tier ${fromTier} and must stay independent`,
        );
    }
    fileGraph.set(f, edges);
  }
  for (const c of cycles(fileGraph)) problems.push(`import cycle of ${c.length} files: ${c.map(rel).join(' → ')}`);
  for (const c of cycles(folderGraph)) problems.push(`folders import each other in a circle: ${c.join(' ↔ ')}`);
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const src = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const problems = checkLayers(src);
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.stdout.write(
    problems.length
      ? `layer check: ${problems.length} problem(s)\n`
      : 'layer check: clean (no upward import, no cycle)\n',
  );
  process.exitCode = problems.length ? 1 : 0;
}
