/**
 * The one registry of passes, shared by the CLI, the library API, recipes, the demo and the benches. It holds each
 * pass's spec (name, kind, options as data) and loads the implementation only when a pass runs, so listing passes
 * or printing `--help` loads no ONNX Runtime. A failed lookup lists every pass there is.
 */
import { ReproError } from '../util/errors.js';
import { CHANNELS_SPEC } from './channels/spec.js';
import type { AnyPass, PassSpec } from './contract.js';
import { type OptionNamer, resolveOptions } from './options.js';
import { FINETUNE_SPEC } from './finetune/spec.js';
import { FOLD_BN_SPEC } from './foldbn/spec.js';
import { HEADS_SPEC } from './heads/spec.js';
import { LOP_EXPAND_SPEC, LOP_MERGE_SPEC } from './lop/spec.js';
import { SRN_SPEC } from './srn/spec.js';
import { TEDEPR_SPEC } from './tedepr/spec.js';
import { TILE_LOWER_SPEC, TILE_SPEC } from './tile/spec.js';
import { TILETRANS_SPEC } from './tiletrans/spec.js';
import { UNIFY_LOWER_SPEC, UNIFY_SPEC } from './unify/spec.js';

interface Entry {
  // biome-ignore lint/suspicious/noExplicitAny: one table holds specs of every option type.
  spec: PassSpec<any>;
  load: () => Promise<AnyPass>;
}

/** One line per pass: its spec and where its implementation lives. */
const ENTRIES: Entry[] = [
  { spec: TILETRANS_SPEC, load: async () => (await import('./tiletrans/pass.js')).tileTransPass },
  { spec: TILE_SPEC, load: async () => (await import('./tile/pass.js')).tilePass },
  { spec: TILE_LOWER_SPEC, load: async () => (await import('./tile/pass.js')).tileLowerPass },
  { spec: CHANNELS_SPEC, load: async () => (await import('./channels/pass.js')).channelsPass },
  { spec: FOLD_BN_SPEC, load: async () => (await import('./foldbn/pass.js')).foldBnPass },
  { spec: SRN_SPEC, load: async () => (await import('./srn/pass.js')).srnPass },
  { spec: LOP_EXPAND_SPEC, load: async () => (await import('./lop/pass.js')).lopExpandPass },
  { spec: LOP_MERGE_SPEC, load: async () => (await import('./lop/pass.js')).lopMergePass },
  { spec: UNIFY_SPEC, load: async () => (await import('./unify/pass.js')).unifyPass },
  { spec: UNIFY_LOWER_SPEC, load: async () => (await import('./unify/pass.js')).unifyLowerPass },
  { spec: TEDEPR_SPEC, load: async () => (await import('./tedepr/pass.js')).tedeprPass },
  { spec: FINETUNE_SPEC, load: async () => (await import('./finetune/pass.js')).finetunePass },
  { spec: HEADS_SPEC, load: async () => (await import('./heads/pass.js')).headsPass },
];

const BY_NAME = new Map(ENTRIES.map((e) => [e.spec.name, e]));

/** Every registered pass's spec, in registry order. */
export function passSpecs(): PassSpec<Record<string, unknown>>[] {
  return ENTRIES.map((e) => e.spec as PassSpec<Record<string, unknown>>);
}

export function passNames(): string[] {
  return ENTRIES.map((e) => e.spec.name);
}

/** The spec of `name`, or a ReproError listing the passes that exist. */
export function passSpec(name: string): PassSpec<Record<string, unknown>> {
  const e = BY_NAME.get(name);
  if (!e) throw new ReproError(`no pass named '${name}'; the passes are: ${passNames().join(', ')}`);
  return e.spec as PassSpec<Record<string, unknown>>;
}

/** The implementation of `name` (loaded on first use). */
export async function loadPass(name: string): Promise<AnyPass> {
  passSpec(name);
  return BY_NAME.get(name)!.load();
}

/**
 * How many leading samples of the data a run of these steps reads (options as given; defaults filled here):
 * 0 = no data, undefined = any (load it all).
 */
export function samplesUsedBy(
  steps: Array<{ pass: string; options?: Record<string, unknown> }>,
  namer?: OptionNamer,
): number | undefined {
  let most = 0;
  for (const step of steps) {
    const spec = passSpec(step.pass);
    if (!spec.data) continue;
    const n = spec.samplesUsed ? spec.samplesUsed(resolveOptions(spec, step.options ?? {}, namer)) : undefined;
    if (n === undefined) return undefined;
    most = Math.max(most, n);
  }
  return most;
}
