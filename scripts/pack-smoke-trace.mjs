/**
 * `REPRUNE_TRACE=file node --import ./pack-smoke-trace.mjs ...`: appends to `file` the URL of every module the
 * process resolves through the ESM loader, and at exit every loaded native library whose path mentions
 * onnxruntime. scripts/pack-smoke.sh uses it to check that `import 'reprune'` and `reprune --help` load neither
 * onnxruntime-node nor vega (both are imported lazily, on first use).
 */
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';

const file = process.env.REPRUNE_TRACE;
if (!file) throw new Error('pack-smoke-trace.mjs: set REPRUNE_TRACE to the log file');

// Loader hooks run on their own thread; a data: URL keeps them in this one file.
const hooks = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(file, r.url + '\\n');
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { file } });

// A native binding is loaded with dlopen, which no loader hook sees; the process report lists it.
process.on('exit', () => {
  const report = /** @type {{ sharedObjects?: string[] }} */ (process.report.getReport());
  const native = (report.sharedObjects ?? []).filter((s) => /onnxruntime/i.test(s));
  if (native.length) appendFileSync(file, native.map((s) => `native: ${s}\n`).join(''));
});
