/**
 * onnxruntime-node, loaded on first use. Its native binding takes a noticeable time to load and `import 'reprune'` or
 * `reprune --help` never run a model, so no module may import it statically: `compile()` awaits `loadOrt()`, and
 * code that runs only after a session exists (feeding tensors, reading outputs) uses `ortModule()`.
 */
import { createRequire } from 'node:module';
import type ort from 'onnxruntime-node';

/** The onnxruntime-node module (its CommonJS exports: `InferenceSession`, `Tensor`, `env`, ...). */
export type Ort = typeof ort;

let loaded: Ort | undefined;
let loading: Promise<Ort> | undefined;

/** The onnxruntime-node module, imported once; concurrent callers share the same import. */
export function loadOrt(): Promise<Ort> {
  if (loaded) return Promise.resolve(loaded);
  const pending = loading ?? importOrt();
  loading = pending;
  return pending;
}

async function importOrt(): Promise<Ort> {
  try {
    // A CommonJS module: under plain Node, `default` is its module.exports; tsx's interop hands back the exports
    // themselves (it honours `__esModule`, so there is no `default`). Accept both.
    const m = (await import('onnxruntime-node')) as unknown as Ort & { default?: Ort };
    loaded = m.default ?? m;
    return loaded;
  } catch (e) {
    loading = undefined; // let a later call retry (and report its own error)
    throw e;
  }
}

/** The loaded module, for synchronous hot paths. Calling it before `loadOrt()` has resolved is a bug in reprune. */
export function ortModule(): Ort {
  if (!loaded) throw new Error('internal: onnxruntime-node used before loadOrt() resolved (compile a session first)');
  return loaded;
}

/** onnxruntime-node's version without loading its native binding (read from its package.json). */
export function ortPackageVersion(): string | undefined {
  if (loaded) return loaded.env.versions.node;
  try {
    const pkg = createRequire(import.meta.url)('onnxruntime-node/package.json') as { version?: string };
    return pkg.version;
  } catch {
    return undefined;
  }
}
