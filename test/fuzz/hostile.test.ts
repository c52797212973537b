/**
 * Hostile-input fuzzing (issue 10): a fixed-seed corpus of mutated ONNX files. Every case must either load or
 * end in a ReproError — never another exception, never a hang, never a peak allocation far beyond the file —
 * and a sample run through the real CLI must exit 2 with one `error:` line and no stack trace.
 * REPRUNE_FUZZ_CASES scales the corpus (default 5000); REPRUNE_FUZZ_SEED changes it; REPRUNE_FUZZ_WORKERS splits it
 * over that many worker threads (default 1: `npm test` already keeps both cores of a 2-core machine busy with other
 * test files, and measured there two workers were no faster).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { isCleanError, runCli } from '../cli/helpers.js';
import { makeCase, makeModelDir, type CaseResult } from './cases.js';
import { seeds } from './seeds.js';

const CASES = Number(process.env.REPRUNE_FUZZ_CASES ?? 5000);
const WORKERS = Math.max(1, Number(process.env.REPRUNE_FUZZ_WORKERS ?? 1));
const SEED = Number(process.env.REPRUNE_FUZZ_SEED ?? 20240611);
/** A case that makes no progress for this long is a hang. */
const HANG_MS = 20_000;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-fuzz-'));
const modelDir = makeModelDir(root);

/** Run cases [first, end) in a worker; on a hang, record it, kill the worker and continue after the case. */
function runRange(first: number, end: number): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  return new Promise((resolve, reject) => {
    const start = (from: number) => {
      if (from >= end) {
        resolve(results);
        return;
      }
      const w = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
        workerData: { from, to: end, seed: SEED, modelDir },
      });
      let current = from;
      let timer = setTimeout(onHang, HANG_MS);
      function onHang() {
        results.push({
          index: current,
          seed: '?',
          mutations: [],
          bytes: new Uint8Array(),
          outcome: 'finding',
          detail: `no result after ${HANG_MS} ms (hang)`,
        });
        void w.terminate().then(() => start(current + 1));
      }
      w.on('message', (m: { type: string; index?: number; result?: CaseResult }) => {
        clearTimeout(timer);
        timer = setTimeout(onHang, HANG_MS);
        if (m.type === 'start') current = m.index!;
        else if (m.type === 'done') results.push(m.result!);
        else if (m.type === 'end') {
          clearTimeout(timer);
          void w.terminate().then(() => resolve(results));
        }
      });
      w.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    };
    start(first);
  });
}

/** The corpus split into WORKERS contiguous ranges run side by side; results in case order. */
async function runCorpus(): Promise<CaseResult[]> {
  const size = Math.ceil(CASES / WORKERS);
  const ranges = Array.from({ length: WORKERS }, (_, k) => [k * size, Math.min(CASES, (k + 1) * size)] as const);
  const parts = await Promise.all(ranges.filter(([a, b]) => a < b).map(([a, b]) => runRange(a, b)));
  return parts.flat().sort((x, y) => x.index - y.index);
}

function summarize(results: CaseResult[]): string {
  const by = new Map<string, Record<string, number>>();
  for (const r of results) {
    for (const m of r.mutations.length ? r.mutations : ['?']) {
      const row = by.get(m) ?? { loaded: 0, refused: 0, finding: 0 };
      row[r.outcome]!++;
      by.set(m, row);
    }
  }
  return [...by]
    .sort()
    .map(([k, v]) => `${k}: ${v.loaded} loaded, ${v.refused} refused, ${v.finding} findings`)
    .join('; ');
}

describe('hostile ONNX inputs', () => {
  let results: CaseResult[] = [];
  // Reproducers of findings are kept; a clean run leaves nothing behind.
  after(() => {
    if (!results.some((r) => r.outcome === 'finding')) fs.rmSync(root, { recursive: true, force: true });
  });

  test('the corpus is reproducible: a case index always gives the same file', () => {
    const a = seeds();
    const b = seeds();
    for (const i of [0, 1, 17, 123, 2999]) {
      const x = makeCase(a, i, SEED);
      const y = makeCase(b, i, SEED);
      assert.deepEqual(x.mutations, y.mutations);
      assert.ok(Buffer.from(x.bytes).equals(Buffer.from(y.bytes)), `case ${i}`);
    }
    assert.deepEqual(
      a.map((s) => s.bytes),
      b.map((s) => s.bytes),
      'mutations must not alter the seeds',
    );
  });

  test(`${CASES} mutated models load or fail with a ReproError (seed ${SEED})`, { timeout: 10 * 60_000 }, async (t) => {
    results = await runCorpus();
    const findings = results.filter((r) => r.outcome === 'finding');
    for (const f of findings) if (f.bytes.length) fs.writeFileSync(path.join(root, `finding-${f.index}.onnx`), f.bytes);
    const count = (o: string) => results.filter((r) => r.outcome === o).length;
    t.diagnostic(
      `fuzz: ${results.length} cases in ${WORKERS} worker(s), ${count('loaded')} loaded, ${count('refused')} refused, ${findings.length} findings (reproducers kept in ${root} if any)`,
    );
    t.diagnostic(`fuzz by mutation: ${summarize(results)}`);
    assert.equal(results.length, CASES);
    assert.deepEqual(
      findings.map((f) => `case ${f.index} (${f.seed}; ${f.mutations.join('+')}): ${f.detail}`),
      [],
    );
    // The corpus must actually exercise both paths.
    assert.ok(count('refused') > CASES / 4, `only ${count('refused')} refused`);
    assert.ok(count('loaded') > 0);
  });

  test('a sample through the real CLI: exit 2, one `error:` line, no stack; harmless mutations exit 0', {
    timeout: 5 * 60_000,
  }, async (t) => {
    assert.ok(results.length > 0, 'corpus test did not run');
    // One refused case per mutation kind (first seen), plus a few that loaded.
    const seen = new Set<string>();
    const sample: CaseResult[] = [];
    for (const r of results) {
      const key = r.mutations.join('+');
      if (r.outcome === 'refused' && r.bytes && !seen.has(key) && sample.length < 16) {
        seen.add(key);
        sample.push(r);
      }
    }
    sample.push(...results.filter((r) => r.outcome === 'loaded' && r.bytes).slice(0, 4));
    assert.ok(sample.length >= 15, `sample of ${sample.length}`);
    const problems: string[] = [];
    const timings: string[] = [];
    for (let i = 0; i < sample.length; i += 2) {
      await Promise.all(
        sample.slice(i, i + 2).map(async (r) => {
          const file = path.join(modelDir, `cli-case-${r.index}.onnx`);
          fs.writeFileSync(file, r.bytes);
          const t0 = performance.now();
          const res = await runCli(['info', file], { timeoutMs: 60_000 });
          timings.push(`${r.index}:${r.seed}:${(performance.now() - t0).toFixed(0)}ms`);
          const ok = r.outcome === 'loaded' ? res.code === 0 : isCleanError(res);
          if (!ok)
            problems.push(
              `case ${r.index} (${r.mutations.join('+')}): exit ${res.code}, stderr ${JSON.stringify(res.stderr.slice(0, 500))}`,
            );
        }),
      );
    }
    t.diagnostic(`cli sample: ${sample.length} runs (${timings.join(' ')})`);
    assert.deepEqual(problems, []);
  });
});
