/**
 * Recipes: a compression pipeline in a YAML or JSON file — the model, the data, then steps, each a registered pass
 * with its options (validated by the pass's own schema, as the CLI's flags are) or `export`. Every error names the
 * file, the line and the key: `recipe.yaml:7: steps[2].channels.budgetMacs 2: expected a number in [0, 1]`.
 *
 * ```yaml
 * model: lenet5.onnx            # relative paths are relative to the recipe's folder
 * data: mnist                   # or { source: photos/, limit: 2000, evalLimit: 1000, normalize: imagenet, resize: 256 }
 * output: lenet5-run            # folder for every intermediate model and the report (default: <recipe>-out)
 * steps:
 *   - fold-bn
 *   - channels: { criterion: reap, budgetMacs: 0.5 }
 *   - finetune: { epochs: 2, lop: true, teacher: dense }   # teacher: dense (the input model) or an .onnx file
 *   - export: lenet5-small.onnx
 * ```
 * Step keys that are not options of the pass: `teacher` (finetune), `limit` (training samples, as --limit) and
 * `evalLimit` (finetune's test samples, as --eval-limit).
 */
import { readTextFile } from '../util/read-file.js';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node as YamlNode, parseDocument } from 'yaml';
import { parseCrop } from '../data/image-transform.js';
import { parseNormalizeSpec } from '../data/normalize.js';
import type { OptionSpec } from '../passes/contract.js';
import { resolveOptions } from '../passes/options.js';
import { passNames, passSpec } from '../passes/registry.js';
import { ReproError } from '../util/errors.js';

export interface RecipeData {
  /** 'mnist', 'fashion-mnist', a folder or an image list (absolute, or as written for the built-ins). */
  source: string;
  /** Training samples every step may read (as --limit). */
  limit?: number;
  /** Test samples the report evaluates on (default all). */
  evalLimit?: number;
  normalize?: string;
  resize?: number;
  crop?: string;
  skipBadImages?: boolean;
}

export interface RecipePassStep {
  kind: 'pass';
  pass: string;
  /** As written (validated); the pass fills defaults when it runs. */
  options: Record<string, unknown>;
  /** 'dense' or an absolute .onnx path. */
  teacher?: string;
  limit?: number;
  evalLimit?: number;
  line: number;
}

export interface RecipeExportStep {
  kind: 'export';
  /** Absolute path of the .onnx file to write. */
  file: string;
  line: number;
}

export type RecipeStep = RecipePassStep | RecipeExportStep;

/** A validated recipe with absolute paths. */
export interface PipelineRecipe {
  file: string;
  model: string;
  /** Absent: no step may need data, and no report is written (it needs the test split). */
  data?: RecipeData;
  output: string;
  steps: RecipeStep[];
}

/** A parsed YAML node: its plain value, its line, and (for maps and lists) its children with their lines. */
interface At {
  value: unknown;
  line: number;
  keys?: Map<string, { line: number; node: At }>;
  items?: At[];
}

const TOP_KEYS = ['model', 'data', 'output', 'steps'];
const DATA_KEYS: Record<keyof RecipeData, 'string' | 'number' | 'boolean'> = {
  source: 'string',
  limit: 'number',
  evalLimit: 'number',
  normalize: 'string',
  resize: 'number',
  crop: 'string',
  skipBadImages: 'boolean',
};

function tree(node: unknown, lc: LineCounter, fallback: number): At {
  const n = node as YamlNode | null;
  const line = n?.range ? lc.linePos(n.range[0]).line : fallback;
  if (isMap(n)) {
    const keys = new Map<string, { line: number; node: At }>();
    for (const p of n.items) {
      const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
      const kl = isScalar(p.key) && p.key.range ? lc.linePos(p.key.range[0]).line : line;
      keys.set(k, { line: kl, node: tree(p.value, lc, kl) });
    }
    return { value: n.toJSON(), line, keys };
  }
  if (isSeq(n)) return { value: n.toJSON(), line, items: n.items.map((i) => tree(i, lc, line)) };
  return { value: isScalar(n) ? n.value : n === null ? null : (n as { toJSON?: () => unknown })?.toJSON?.(), line };
}

/** Parse YAML (JSON is YAML too) into a line-annotated tree; syntax errors name their line. */
function parseTree(text: string, file: string): At {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0].line ?? 1;
    throw new ReproError(`${file}:${line}: not valid YAML/JSON (${err.message.split('\n')[0]})`);
  }
  return tree(doc.contents, lc, 1);
}

const where = (file: string, line: number) => `${file}:${line}`;

function expectMap(at: At, file: string, name: string): Map<string, { line: number; node: At }> {
  if (!at.keys) throw new ReproError(`${where(file, at.line)}: ${name} must be a mapping of keys to values`);
  return at.keys;
}

function refuseUnknown(keys: Map<string, { line: number }>, known: string[], file: string, name: string): void {
  for (const [k, v] of keys)
    if (!known.includes(k))
      throw new ReproError(`${where(file, v.line)}: unknown key '${name}${k}'; known: ${known.join(', ')}`);
}

function scalarOf(at: At, type: 'string' | 'number' | 'boolean', file: string, name: string): unknown {
  const v = at.value;
  const ok = type === 'number' ? typeof v === 'number' && Number.isFinite(v) : typeof v === type;
  if (!ok) throw new ReproError(`${where(file, at.line)}: ${name} ${JSON.stringify(v)}: expected a ${type}`);
  if (type === 'number' && !(Number.isInteger(v) && (v as number) >= 1))
    throw new ReproError(`${where(file, at.line)}: ${name} ${v}: expected a whole number >= 1`);
  return v;
}

/** A data source: built-in names stay as they are, paths are taken relative to the recipe's folder. */
function sourcePath(source: string, dir: string): string {
  return source === 'mnist' || source === 'fashion-mnist' ? source : path.resolve(dir, source);
}

function readData(entry: { line: number; node: At } | undefined, file: string, dir: string): RecipeData | undefined {
  if (!entry) return undefined;
  const at = entry.node;
  if (typeof at.value === 'string') return { source: sourcePath(at.value, dir) };
  const keys = expectMap(at, file, 'data');
  refuseUnknown(keys, Object.keys(DATA_KEYS), file, 'data.');
  const out: Record<string, unknown> = {};
  for (const [k, v] of keys) out[k] = scalarOf(v.node, DATA_KEYS[k as keyof RecipeData], file, `data.${k}`);
  if (typeof out.source !== 'string')
    throw new ReproError(`${where(file, at.line)}: data needs 'source' (mnist, fashion-mnist, a folder or a list)`);
  // The same checks as the flags, reported at the key's line.
  for (const [k, check] of [
    ['normalize', parseNormalizeSpec],
    ['crop', parseCrop],
  ] as const) {
    const v = out[k];
    if (typeof v !== 'string') continue;
    try {
      check(v);
    } catch (e) {
      throw new ReproError(`${where(file, keys.get(k)!.line)}: data.${k}: ${(e as Error).message}`);
    }
  }
  return { ...(out as unknown as RecipeData), source: sourcePath(out.source, dir) };
}

/** Option values are checked by the pass's schema; errors say `file:line: steps[i].pass.key value: ...`. */
function checkOptions(
  pass: string,
  options: Record<string, unknown>,
  lines: Map<string, number>,
  file: string,
  i: number,
) {
  const spec = passSpec(pass);
  for (const k of Object.keys(options))
    if (!Object.hasOwn(spec.options, k))
      throw new ReproError(
        `${where(file, lines.get(k)!)}: unknown option 'steps[${i}].${pass}.${k}'; ${pass} takes: ${Object.keys(spec.options).join(', ')}`,
      );
  const namer = (key: string, _s: OptionSpec) => `${where(file, lines.get(key) ?? 0)}: steps[${i}].${pass}.${key}`;
  resolveOptions(spec, options, namer);
}

function readPassStep(name: string, body: At | undefined, line: number, file: string, dir: string, i: number) {
  if (!passNames().includes(name))
    throw new ReproError(
      `${where(file, line)}: steps[${i}]: no pass or step named '${name}'; steps are export and the passes ${passNames().join(', ')}`,
    );
  const step: RecipePassStep = { kind: 'pass', pass: name, options: {}, line };
  if (!body || body.value === null) return step;
  const keys = expectMap(body, file, `steps[${i}].${name}`);
  const lines = new Map<string, number>();
  for (const [k, v] of keys) {
    if (k === 'teacher') {
      const t = scalarOf(v.node, 'string', file, `steps[${i}].${name}.teacher`) as string;
      step.teacher = t === 'dense' ? 'dense' : path.resolve(dir, t);
    } else if (k === 'limit' || k === 'evalLimit') {
      step[k] = scalarOf(v.node, 'number', file, `steps[${i}].${name}.${k}`) as number;
    } else {
      step.options[k] = v.node.value;
      lines.set(k, v.line);
    }
  }
  if (step.teacher && name !== 'finetune')
    throw new ReproError(
      `${where(file, keys.get('teacher')!.line)}: steps[${i}].${name}.teacher: only finetune takes a teacher`,
    );
  checkOptions(name, step.options, lines, file, i);
  return step;
}

function readStep(at: At, file: string, dir: string, i: number): RecipeStep {
  if (typeof at.value === 'string') return readPassStep(at.value, undefined, at.line, file, dir, i);
  const keys = expectMap(at, file, `steps[${i}]`);
  if (keys.size !== 1)
    throw new ReproError(`${where(file, at.line)}: steps[${i}] must be one pass name, or one 'pass: { options }' pair`);
  const [name, entry] = [...keys][0]!;
  if (name === 'export') {
    const f = scalarOf(entry.node, 'string', file, `steps[${i}].export`) as string;
    if (!f.endsWith('.onnx'))
      throw new ReproError(`${where(file, entry.line)}: steps[${i}].export ${f}: expected an .onnx file name`);
    return { kind: 'export', file: path.resolve(dir, f), line: entry.line };
  }
  return readPassStep(name, entry.node, entry.line, file, dir, i);
}

/** Parse and validate recipe text; `file` names it in errors and anchors its relative paths. */
export function parseRecipe(text: string, file: string): PipelineRecipe {
  const dir = path.dirname(path.resolve(file));
  const keys = expectMap(parseTree(text, file), file, 'a recipe');
  refuseUnknown(keys, TOP_KEYS, file, '');
  const model = keys.get('model');
  if (!model) throw new ReproError(`${file}: missing key 'model' (the .onnx file to start from)`);
  const modelFile = scalarOf(model.node, 'string', file, 'model') as string;
  const out = keys.get('output');
  const output = out
    ? (scalarOf(out.node, 'string', file, 'output') as string)
    : `${path.basename(file).replace(/\.(ya?ml|json)$/i, '')}-out`;
  const steps = keys.get('steps');
  if (!steps?.node.items || steps.node.items.length === 0)
    throw new ReproError(`${where(file, steps?.line ?? 1)}: 'steps' must be a non-empty list (e.g. - fold-bn)`);
  return {
    file: path.resolve(file),
    model: path.resolve(dir, modelFile),
    data: readData(keys.get('data'), file, dir),
    output: path.resolve(dir, output),
    steps: steps.node.items.map((s, i) => readStep(s, file, dir, i)),
  };
}

/** Read and validate a recipe file. */
export function loadRecipe(file: string): PipelineRecipe {
  // A regular file of bounded size: a recipe named /dev/zero or a pipe is an error, not a hang.
  return parseRecipe(readTextFile(file, { expected: 'a YAML or JSON recipe', maxBytes: 16 << 20 }), file);
}
