/** Graph's name index: fresh names stay fresh however the graph is changed between calls (a seeded property test). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/ir/graph.js';
import { f32 } from '../../src/ir/tensor.js';
import { SeededRng } from '../../src/util/random.js';

function inUse(g: Graph): Set<string> {
  const s = g.valueNames();
  for (const n of g.nodes) s.add(n.name);
  return s;
}

test('uniqueName, add and addInitializer never hand out a name in use, across direct edits of the graph', () => {
  for (let seed = 0; seed < 20; seed++) {
    const rng = new SeededRng(seed);
    const g = new Graph();
    g.inputs = [{ name: 'x', dtype: 'float32', shape: [1] }];
    for (let step = 0; step < 300; step++) {
      const bases = ['x', 'relu', 'w', 'relu_out', 'w_1', 'n'];
      const base = bases[rng.int(bases.length)]!;
      const op = rng.int(7);
      const before = inUse(g);
      if (op === 0) {
        const [out] = g.add('Relu', ['x'], {}, { name: base });
        assert.ok(!before.has(out!), `add gave ${out}, already in use`);
      } else if (op === 1) {
        const name = g.addInitializer(base, f32([1], [0]));
        assert.ok(!before.has(name), `addInitializer gave ${name}`);
      } else if (op === 2 && g.initializers.size) {
        g.initializers.delete([...g.initializers.keys()][rng.int(g.initializers.size)]!);
      } else if (op === 3) {
        // A direct edit behind the index's back: a node pushed with names of its own.
        g.nodes.push({
          name: `${base}_d${step}`,
          opType: 'Identity',
          inputs: ['x'],
          outputs: [`${base}_o${step}`],
          attrs: {},
        });
      } else if (op === 4 && g.nodes.length) {
        g.nodes = g.nodes.filter((_, i) => i !== rng.int(g.nodes.length));
      } else if (op === 5) {
        g.initializers.set(`${base}_s${step}`, f32([1], [0]));
      } else {
        const name = g.uniqueName(base);
        assert.ok(!before.has(name), `uniqueName gave ${name}`);
      }
    }
  }
});
