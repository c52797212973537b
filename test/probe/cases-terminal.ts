/**
 * Terminal injection: names from a model file (graph, nodes, values, initializers, producer, op types) and paths
 * or flag values the user passed through carry escape sequences, 8-bit C1 controls, bidi overrides and other
 * format characters. Nothing printed — tables, logs, errors, JSON — may contain them raw; `--json` stays valid
 * JSON that decodes to the original names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeIdx } from '../../src/data/idx.js';
import { buildModel } from '../../src/models/index.js';
import { encodeModel } from '../../src/onnx/encode.js';
import type { SeededRng } from '../../src/util/random.js';
import { renamed } from './fixtures.js';
import { outputProblems, runCli, shown } from './harness.js';
import { type Ctx, type ProbeCase, pick, refuse, refuseOrSucceed } from './types.js';

export const PAYLOADS: Record<string, string> = {
  'ESC[2J clear screen': '\x1b[2J\x1b[H',
  'OSC window title': '\x1b]0;owned\x07',
  'C1 CSI U+009B': '\u009b2J',
  'C1 OSC U+009D': '\u009d0;title\u009c',
  'bidi override U+202E': '\u202egnp.exe',
  'bidi isolate U+2066': '\u2066x\u2069',
  'zero-width space U+200B': 'a\u200bb',
  'byte-order mark U+FEFF': '\ufeff',
  DEL: '\x7f',
  'carriage return': '\rfake prompt$ ',
  backspace: '\b\b\b',
  'line separator U+2028': '\u2028',
  'tag character U+E0041': '\u{E0041}',
  newline: '\nerror: a second, fake line',
};
const ALL = Object.values(PAYLOADS);

/** Name factory cycling through `payloads`: layer0<payload0>, layer1<payload1>, ... */
function namer(payloads: string[]): () => string {
  let i = 0;
  return () => `layer${i}${payloads[i++ % payloads.length]}`;
}

function some(rng: SeededRng, k = 3): string[] {
  return pick(rng, ALL, k);
}

/** The mlp with every name hostile; `edit` may break it further. */
function hostileModel(dir: string, payloads: string[], edit?: (g: ReturnType<typeof buildModel>) => void): string {
  const g = renamed(buildModel('mlp', { seed: 0 }), namer(payloads));
  edit?.(g);
  fs.writeFileSync(path.join(dir, 'h.onnx'), encodeModel(g));
  return 'h.onnx';
}

/** `info --json` on a hostile model: exit 0, valid JSON, the names decode to the originals, nothing raw. */
function jsonCase(): ProbeCase {
  return {
    cls: 'terminal',
    name: 'info --json: hostile names stay valid JSON and print no raw control characters',
    async run(dir) {
      hostileModel(dir, ALL);
      const r = await runCli(['info', 'h.onnx', '--json'], { cwd: dir });
      const problems = outputProblems(r);
      if (r.code !== 0) problems.push(`exit ${r.code}`);
      try {
        const j = JSON.parse(r.stdout) as { graph: string; inputs: Array<{ name: string }> };
        if (j.graph !== `layer0${ALL[0]}`) problems.push(`graph name decoded as ${JSON.stringify(j.graph)}`);
      } catch (e) {
        problems.push(`stdout is not JSON: ${(e as Error).message}`);
      }
      return { problems: problems.length ? [...problems, shown(r)] : [] };
    },
  };
}

export function terminalCases(ctx: Ctx): ProbeCase[] {
  const { rng, shared } = ctx;
  const p = () => some(rng);
  const [p1, p2, p3, p4, p5, p6, p7] = [p(), p(), p(), p(), p(), p(), p()];
  return [
    refuseOrSucceed('terminal', 'info: every name in the model is hostile (table output)', [], (dir) => ({
      args: ['info', hostileModel(dir, ALL)],
    })),
    jsonCase(),
    refuseOrSucceed('terminal', 'prune: hostile layer names in the progress lines', ['out.onnx'], (dir) => ({
      args: ['prune', hostileModel(dir, p1!), '-o', 'out.onnx', '--method', 'l1', '--ratio', '0.5'],
    })),
    // Unknown ops pass through (issue 15): info describes the model and names the op, escaped, or refuses in one line.
    refuseOrSucceed('terminal', 'info: an unknown op whose node name and op type are hostile', [], (dir) => ({
      args: [
        'info',
        hostileModel(dir, p2!, (g) => {
          const relu = g.nodes.find((n) => n.opType === 'Relu')!;
          relu.opType = `Fancy${PAYLOADS['C1 CSI U+009B']}${PAYLOADS['bidi override U+202E']}`;
        }),
      ],
    })),
    refuse('terminal', 'info: a NaN weight whose initializer name is hostile', (dir) => ({
      args: [
        'info',
        hostileModel(dir, p3!, (g) => {
          const [, t] = [...g.initializers].find(([, x]) => x.dims.length === 2)!;
          (t.data as Float32Array)[3] = Number.NaN;
        }),
      ],
    })),
    refuse('terminal', 'eval: the hostile input name is in the shape error', (dir) => {
      const data = path.join(dir, 'small');
      fs.mkdirSync(data);
      for (const split of ['train', 't10k']) {
        writeIdx(path.join(data, `${split}-images-idx3-ubyte`), new Uint8Array(8 * 14 * 14), [8, 14, 14]);
        writeIdx(path.join(data, `${split}-labels-idx1-ubyte`), new Uint8Array(8), [8]);
      }
      const g = renamed(buildModel('lenet5', { seed: 0 }), namer(p4!));
      fs.writeFileSync(path.join(dir, 'h.onnx'), encodeModel(g));
      return { args: ['eval', 'h.onnx', '--data', 'small'] };
    }),
    refuse('terminal', 'info: a missing model whose path is hostile', () => ({
      args: ['info', `missing${p5!.join('')}.onnx`],
    })),
    refuse('terminal', 'eval: a --data path that is hostile and missing', (dir) => {
      fs.copyFileSync(shared.model, path.join(dir, 'm.onnx'));
      return { args: ['eval', 'm.onnx', '--data', `nowhere${p6!.join('')}`] };
    }),
    refuse('terminal', 'prune: a hostile --method value', (dir) => {
      fs.copyFileSync(shared.model, path.join(dir, 'm.onnx'));
      return { args: ['prune', 'm.onnx', '-o', 'out.onnx', '--method', `l1${p7!.join('')}`] };
    }),
    refuse('terminal', 'export-zoo: -o in a missing folder with a hostile name', () => ({
      args: ['export-zoo', 'mlp', '-o', `${PAYLOADS['C1 OSC U+009D']}dir${PAYLOADS['bidi override U+202E']}/x.onnx`],
    })),
    refuse('terminal', 'an unknown flag with C1 and bidi characters', () => ({
      args: ['info', `--x${PAYLOADS['C1 CSI U+009B']}${PAYLOADS['bidi isolate U+2066']}`, 'm.onnx'],
    })),
    refuse('terminal', 'report: a hostile method name in a results file that lacks a number', (dir) => {
      const r = JSON.parse(fs.readFileSync(shared.results, 'utf8')) as { methods: Array<Record<string, unknown>> };
      r.methods[0] = {
        ...r.methods[0],
        method: `tile${PAYLOADS['ESC[2J clear screen']}${PAYLOADS['C1 CSI U+009B']}`,
        accuracy: 'x',
      };
      fs.writeFileSync(path.join(dir, 'r.json'), JSON.stringify(r));
      return { args: ['report', 'r.json', '-o', 'r.html'] };
    }),
  ];
}
