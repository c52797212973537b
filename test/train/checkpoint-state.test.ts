/**
 * The training state inside a checkpoint: encoding round-trips exactly; every damaged or edited field is one
 * ReproError naming the field (never a TypeError, never a NaN that gets used); prototype keys are refused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildModel } from '../../src/models/index.js';
import { decodeTrainState, encodeTrainState, type TrainState } from '../../src/train/checkpoint-state.js';
import { ReproError } from '../../src/util/errors.js';
import { SeededRng } from '../../src/util/random.js';
import { parseJsonStrict, validate } from '../../src/util/schema.js';

const model = buildModel('mlp', { seed: 1 });
// The small layer keeps the base64 buffers short (the random-edit test decodes a thousand states).
const params = ['fc3.weight', 'fc3.bias'];

function state(): TrainState {
  const rng = new SeededRng(3);
  const buf = (name: string) => rng.fillNormal(new Float32Array(model.initializers.get(name)!.data.length));
  return {
    version: 1,
    epochsDone: 1,
    step: 62,
    optimizer: {
      kind: 'sgd',
      t: 62,
      buffers: { 'fc3.weight/momentum': buf('fc3.weight'), 'fc3.bias/momentum': buf('fc3.bias') },
    },
    history: [{ epoch: 0, loss: 0.5, trainAcc: 0.9, testAcc: 0.91, testLoss: 0.4, samplesPerSecond: 1000, lr: 0.01 }],
    key: { batchSize: 32, seed: 0, epochs: 3, optimizer: 'sgd', params },
    partial: { steps: 5, lossSum: 12.5, hits: 100, seen: 160, lr: 0.009 },
  };
}

const WHERE = '--resume ck.onnx';
const decode = (text: string) => decodeTrainState(text, model, WHERE);

/** `text` must be refused with one line that contains `field`. */
function refusedNaming(text: string, field: string | RegExp): void {
  assert.throws(
    () => decode(text),
    (e) =>
      e instanceof ReproError &&
      e.message.startsWith(WHERE) &&
      (typeof field === 'string' ? e.message.includes(field) : field.test(e.message)),
  );
}

describe('checkpoint training state', () => {
  test('encode → decode gives back every number and buffer bit for bit', () => {
    const s = state();
    const back = decode(encodeTrainState(s));
    assert.deepEqual(
      { ...back, optimizer: { ...back.optimizer, buffers: {} } },
      { ...s, optimizer: { ...s.optimizer, buffers: {} } },
    );
    for (const [k, v] of Object.entries(s.optimizer.buffers)) assert.deepEqual(back.optimizer.buffers[k], v, k);
  });

  test('each damaged field is refused with its name', () => {
    const base = () => JSON.parse(encodeTrainState(state()));
    const cases: Array<[string, (s: ReturnType<typeof base>) => unknown, string | RegExp]> = [
      ['buffers missing', (s) => delete s.optimizer.buffers, "'optimizer.buffers' is missing"],
      ['buffers null', (s) => (s.optimizer.buffers = null), "'optimizer.buffers' should be an object, found null"],
      [
        'odd byte length',
        (s) => (s.optimizer.buffers['fc3.bias/momentum'] = 'AQIDBAU='),
        "'optimizer.buffers.fc3.bias/momentum' holds 5 bytes",
      ],
      ['not base64', (s) => (s.optimizer.buffers['fc3.bias/momentum'] = '%%%'), 'base64 text'],
      [
        'foreign parameter',
        (s) => (s.optimizer.buffers['fc1.weight/momentum'] = 'AAAAAA=='),
        /fc1\.weight.*not a trained parameter/,
      ],
      ['history text loss', (s) => (s.history[0].loss = 'abc'), "'history.0.loss' should be a finite number"],
      ['history too short', (s) => (s.history = []), "'history' holds 0 epochs but 'epochsDone' says 1"],
      [
        'accuracy above 1',
        (s) => (s.history[0].trainAcc = 7),
        "'history.0.trainAcc' should be a finite number in [0, 1]",
      ],
      ['key missing', (s) => delete s.key, "'key' is missing"],
      ['params not a list', (s) => (s.key.params = 7), "'key.params' should be a list"],
      ['param the model lacks', (s) => s.key.params.push('ghost'), "'key.params' names 'ghost'"],
      ['negative epochs', (s) => (s.epochsDone = -1), "'epochsDone' should be an integer >= 0"],
      [
        'beyond the run',
        (s) => {
          s.epochsDone = 9;
          s.history = Array(9).fill(s.history[0]);
        },
        "'epochsDone' is 9, beyond the run's 3 epochs",
      ],
      ['partial text', (s) => (s.partial.steps = 'x'), "'partial.steps' should be an integer >= 1"],
      ['hits above seen', (s) => (s.partial.hits = 999), "'partial.hits' exceeds"],
      ['unknown field', (s) => (s.extra = 1), "unknown field 'extra'"],
      ['version 2', (s) => (s.version = 2), "'version' should be 1"],
    ];
    for (const [name, damage, field] of cases) {
      const s = base();
      damage(s);
      refusedNaming(JSON.stringify(s), field);
      assert.ok(true, name);
    }
    refusedNaming('null', "'(the whole file)' should be an object");
    refusedNaming('[]', "'(the whole file)' should be an object, found a list");
    refusedNaming('{"version":1', 'not valid JSON');
  });

  test('prototype keys are refused at any depth', () => {
    const text = encodeTrainState(state());
    refusedNaming(
      text.replace('"buffers":{', '"buffers":{"__proto__":{"x":"AAAA"},'),
      "key '__proto__' is not allowed",
    );
    refusedNaming(`{"constructor":{"prototype":{}},${text.slice(1)}`, "key 'prototype' is not allowed");
    assert.throws(() => parseJsonStrict('{"a":[{"b":{"__proto__":1}}]}', 'f'), /key '__proto__'/);
    assert.equal(({} as Record<string, unknown>).x, undefined, 'no prototype was polluted');
  });

  test('1000 seeded random edits: a valid state or one ReproError, never another exception', () => {
    const rng = new SeededRng(11);
    const junk = [null, -1, 0.5, 'x', '', [], {}, true, 1e308, 'AAAA', [1, 2]];
    let refused = 0;
    const text = encodeTrainState(state());
    for (let i = 0; i < 1000; i++) {
      const s = JSON.parse(text);
      // Walk to a random field and replace or delete it.
      let node = s;
      for (let depth = 0; depth < 3; depth++) {
        const keys = Object.keys(node);
        const k = keys[rng.int(keys.length)]!;
        if (depth === 2 || typeof node[k] !== 'object' || node[k] === null || rng.next() < 0.4) {
          if (rng.next() < 0.3) delete node[k];
          else node[k] = junk[rng.int(junk.length)];
          break;
        }
        node = node[k];
      }
      try {
        decode(JSON.stringify(s));
      } catch (e) {
        assert.ok(e instanceof ReproError, `edit ${i}: ${(e as Error).stack}`);
        assert.ok(!e.message.includes('\n'));
        refused++;
      }
    }
    assert.ok(refused > 900, `only ${refused} of 1000 edits refused`);
  });
});

describe('validate', () => {
  test('names nested fields, refuses unknown ones, accepts optional ones missing', () => {
    const schema = {
      type: 'object',
      fields: { a: { type: 'array', items: { type: 'int', min: 0 } }, b: { type: 'string' } },
      optional: ['b'],
    } as const;
    validate({ a: [1, 2] }, schema, 'f');
    assert.throws(() => validate({ a: [1, -2] }, schema, 'f'), /f: field 'a\.1' should be an integer >= 0, found -2/);
    assert.throws(() => validate({ a: [], c: 1 }, schema, 'f'), /unknown field 'c'/);
  });
});
