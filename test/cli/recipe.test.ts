/**
 * Recipes: a recipe writes the same model bytes as the equivalent chain of commands (every intermediate, and the
 * export), `--save-recipe` reruns to the same bytes, the report has a row per step, and an invalid recipe names the
 * bad key and its line.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parseRecipe } from '../../src/api/recipe.js';
import { buildModel } from '../../src/models/index.js';
import { saveOnnx } from '../../src/onnx/save.js';
import { ReproError } from '../../src/util/errors.js';
import { isCleanError, runCli, tmpDir } from './helpers.js';

const same = (a: string, b: string) => readFileSync(a).equals(readFileSync(b));

async function ok(args: string[]) {
  const r = await runCli(args, { timeoutMs: 180_000 });
  assert.equal(r.code, 0, r.stderr);
  return r;
}

describe('reprune run', () => {
  test('a recipe writes the bytes of the equivalent commands; --save-recipe reruns to the same bytes', async () => {
    const dir = tmpDir('reprune-recipe-');
    const at = (f: string) => path.join(dir, f);
    saveOnnx(buildModel('lenet5', { seed: 3 }), at('in.onnx'));
    // The commands: channel pruning, a short fine-tune (its recipe saved), TileTrans.
    await ok(['prune', at('in.onnx'), '-o', at('a.onnx'), '--method', 'l1', '--ratio', '0.5']);
    await ok([
      ...['finetune', at('a.onnx'), '--data', 'mnist', '--epochs', '1', '--limit', '256', '--eval-limit', '200'],
      ...['--batch', '64', '-o', at('b.onnx'), '--save-recipe', at('finetune.yaml'), '--json'],
    ]);
    await ok(['reparam', at('b.onnx'), '-o', at('c.onnx'), '--transform', 'tiletrans']);
    writeFileSync(
      at('recipe.yaml'),
      [
        'model: in.onnx',
        'data: { source: mnist, evalLimit: 300 }',
        'output: run',
        'steps:',
        '  - channels: { criterion: l1, ratio: 0.5 }',
        '  - finetune: { epochs: 1, batch: 64, limit: 256, evalLimit: 200 }',
        '  - tiletrans',
        '  - export: c-recipe.onnx',
        '',
      ].join('\n'),
    );
    const r = await ok(['run', at('recipe.yaml'), '--latency-iters', '2', '--json']);
    const out = JSON.parse(r.stdout) as { models: string[]; rows: Array<{ outputCheck?: { samples: number } }> };
    assert.deepEqual(
      out.models.map((m) => path.basename(m)),
      ['01-channels.onnx', '02-finetune.onnx', '03-tiletrans.onnx'],
    );
    assert.ok(same(at('run/01-channels.onnx'), at('a.onnx')), 'pruned model = prune command');
    assert.ok(same(at('run/02-finetune.onnx'), at('b.onnx')), 'fine-tuned model = finetune command');
    assert.ok(same(at('run/03-tiletrans.onnx'), at('c.onnx')), 'permuted model = reparam command');
    assert.ok(same(at('c-recipe.onnx'), at('c.onnx')), 'export = the last command’s output');
    assert.equal(out.rows.length, 4, 'the input and one row per step');
    assert.equal(out.rows[1]!.outputCheck?.samples, 300);
    assert.match(readFileSync(at('run/report.html'), 'utf8'), /Accuracy vs cost/);

    // The saved recipe of the finetune command, rerun, writes the same model.
    const saved = readFileSync(at('finetune.yaml'), 'utf8');
    assert.match(saved, /^# written by: reprune .*finetune/);
    writeFileSync(at('finetune.yaml'), saved.replace('export: b.onnx', 'export: b-again.onnx'));
    await ok(['run', at('finetune.yaml'), '--no-report']);
    assert.ok(same(at('b-again.onnx'), at('b.onnx')), '--save-recipe reruns to the same bytes');
  });

  test('a JSON recipe runs too, and an invalid one is one line naming the key (exit 2)', async () => {
    const dir = tmpDir('reprune-recipe-');
    saveOnnx(buildModel('lenet5', { seed: 4 }), path.join(dir, 'in.onnx'));
    const json = path.join(dir, 'r.json');
    writeFileSync(json, JSON.stringify({ model: 'in.onnx', steps: ['fold-bn', { export: 'out.onnx' }] }, null, 1));
    await ok(['run', json]);
    assert.ok(readFileSync(path.join(dir, 'out.onnx')).length > 1000);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'model: in.onnx\nsteps:\n  - channels:\n      criterion: l1\n      ratoi: 0.5\n');
    const r = await runCli(['run', bad]);
    assert.ok(isCleanError(r), r.stderr);
    assert.match(r.stderr, /bad\.yaml:5: unknown option 'steps\[0\]\.channels\.ratoi'/);
  });
});

describe('recipe validation names the key and its line', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['unknown top-level key', 'model: m.onnx\nsteps: [fold-bn]\nouptut: x\n', /^r\.yaml:3: unknown key 'ouptut'/],
    [
      'option out of range',
      'model: m.onnx\ndata: mnist\nsteps:\n  - fold-bn\n  - channels:\n      criterion: reap\n      budgetMacs: 2\n',
      /^r\.yaml:7: steps\[1\]\.channels\.budgetMacs 2: expected a number in \[/,
    ],
    ['unknown pass', 'model: m.onnx\nsteps:\n  - prnue\n', /^r\.yaml:3: steps\[0\]: no pass or step named 'prnue'/],
    [
      'wrong choice',
      'model: m.onnx\nsteps:\n  - tile: { sparsity: 0.5, importance: l3 }\n',
      /^r\.yaml:3: steps\[0\]\.tile\.importance l3: choose one of/,
    ],
    [
      'data key',
      'model: m.onnx\ndata:\n  source: mnist\n  limt: 5\nsteps: [fold-bn]\n',
      /^r\.yaml:4: unknown key 'data\.limt'/,
    ],
    [
      'bad normalize',
      'model: m.onnx\ndata:\n  source: mnist\n  normalize: 1,2,3\nsteps: [srn]\n',
      /^r\.yaml:4: data\.normalize/,
    ],
    ['YAML syntax', 'model: m.onnx\nsteps:\n  - fold-bn\n   - srn: [\n', /^r\.yaml:\d+: not valid YAML\/JSON/],
    ['no steps', 'model: m.onnx\nsteps: []\n', /^r\.yaml:2: 'steps' must be a non-empty list/],
    [
      'teacher elsewhere',
      'model: m.onnx\nsteps:\n  - srn: { teacher: dense }\n',
      /^r\.yaml:3: .*only finetune takes a teacher/,
    ],
  ];
  for (const [what, text, re] of cases)
    test(what, () => {
      assert.throws(
        () => parseRecipe(text, 'r.yaml'),
        (e: unknown) => e instanceof ReproError && re.test(e.message) && !e.message.includes('\n'),
      );
    });

  test('a valid recipe resolves paths against its folder and keeps the options as written', () => {
    const r = parseRecipe(
      'model: m.onnx\ndata: { source: imgs, limit: 100 }\nsteps:\n  - channels: { criterion: l1, ratio: 0.25 }\n  - finetune: { epochs: 2, teacher: dense }\n  - export: out/f.onnx\n',
      '/work/recipes/r.yaml',
    );
    assert.equal(r.model, '/work/recipes/m.onnx');
    assert.deepEqual(r.data, { source: '/work/recipes/imgs', limit: 100 });
    assert.equal(r.output, '/work/recipes/r-out');
    assert.deepEqual(r.steps[0], {
      kind: 'pass',
      pass: 'channels',
      options: { criterion: 'l1', ratio: 0.25 },
      line: 4,
    });
    assert.deepEqual(r.steps[1], { kind: 'pass', pass: 'finetune', options: { epochs: 2 }, teacher: 'dense', line: 5 });
    assert.deepEqual(r.steps[2], { kind: 'export', file: '/work/recipes/out/f.onnx', line: 6 });
  });
});
