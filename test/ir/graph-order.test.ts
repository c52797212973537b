import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, type Node } from '../../src/ir/graph.js';
import { checkStructure, topoOrder } from '../../src/ir/graph-order.js';
import { f32 } from '../../src/ir/tensor.js';

const node = (name: string, inputs: string[], outputs: string[]): Node => ({
  name,
  opType: 'Add',
  inputs,
  outputs,
  attrs: {},
});

/** x -> a -> b -> d, x -> c -> d, listed consumers first. */
function shuffled(): Graph {
  const g = new Graph();
  g.inputs = [{ name: 'x', dtype: 'float32', shape: [2] }];
  g.addInitializer('w', f32([2], [1, 2]), true);
  g.nodes = [node('d', ['vb', 'vc'], ['y']), node('b', ['va', 'w'], ['vb']), node('c', ['x', ''], ['vc'])];
  g.nodes.push(node('a', ['x', 'w'], ['va']));
  g.outputs = [{ name: 'y', dtype: 'float32' }];
  return g;
}

test('topoOrder puts every producer before its consumers and keeps every node', () => {
  const order = topoOrder(shuffled()).map((n) => n.name);
  assert.equal(order.length, 4);
  const at = (n: string) => order.indexOf(n);
  assert.ok(at('a') < at('b') && at('b') < at('d') && at('c') < at('d'), order.join(' '));
});

test('checkStructure names a repeated node, a value produced twice, a dangling read and an unproduced output', () => {
  const cases: Array<[(g: Graph) => void, RegExp]> = [
    [(g) => (g.nodes[1]!.name = 'd'), /two nodes are named 'd'/],
    [(g) => (g.nodes[2]!.outputs = ['vb']), /value 'vb' is produced twice/],
    [(g) => (g.nodes[1]!.inputs = ['va', 'nowhere']), /node 'b' \(Add\) reads 'nowhere'/],
    [(g) => (g.outputs = [{ name: 'z', dtype: 'float32' }]), /graph output 'z' is not produced/],
  ];
  checkStructure(shuffled());
  for (const [breakIt, message] of cases) {
    const g = shuffled();
    breakIt(g);
    assert.throws(() => checkStructure(g), message);
  }
});
