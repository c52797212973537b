/**
 * The one contract every method implements. A pass first *plans* — decides, on the model it is given, what
 * it will cut, permute, expand or train, and returns that decision as plain JSON (with the numbers that
 * made it) — then *applies* a plan, returning a new graph and a typed report. `apply` never mutates its
 * input graph, and a plan read back from JSON applies to exactly the same model as the one just computed,
 * so `reprune prune --save-plan` / `--plan` replay a run without recomputing importance or calibration.
 *
 * Options are declared as data (`OptionSchema`): the CLI makes its flags from them, recipes and the
 * library validate against them, and the docs list them — one declaration, no flag parsing in passes.
 */
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { ReproError } from '../util/errors.js';

/** Options of a pass that has none. */
export type NoOptions = Record<never, never>;

/** reparam: the function is unchanged; prune: weights or channels go; train: the pass trains on data. */
export type PassKind = 'reparam' | 'prune' | 'train';

interface OptionBase {
  help: string;
  /** The CLI flag, when it is not `--<kebab-case key>` (e.g. `--budget-macs` for `budget`). */
  flag?: string;
  /** Not offered as a flag (set by the CLI or a pipeline itself, e.g. a reference cost). */
  hidden?: boolean;
}

export type OptionSpec = OptionBase &
  (
    | { type: 'number'; default?: number; min?: number; max?: number; integer?: boolean }
    | { type: 'choice'; values: readonly string[]; default?: string }
    | { type: 'boolean'; default?: boolean }
    | { type: 'string'; default?: string }
    | { type: 'list'; default?: readonly string[] }
  );

/** One spec per option key, so a renamed or forgotten option is a type error. */
export type OptionSchema<O> = { readonly [K in keyof O]-?: OptionSpec };

/** What the registry knows of a pass without loading its implementation (cheap to import: no ORT, no vega). */
export interface PassSpec<O = Record<string, unknown>> {
  /** Registry key, e.g. 'tiletrans', 'channels'. */
  readonly name: string;
  readonly kind: PassKind;
  readonly summary: string;
  readonly options: OptionSchema<O>;
  /**
   * What the pass reads from `PassContext.data`: 'calibration' (the plan streams samples through the model,
   * only for some options), 'training' (apply trains), or nothing.
   */
  readonly data?: 'calibration' | 'training';
  /**
   * How many samples (the first N of `PassContext.data`) the pass reads with these options: 0 = none, undefined =
   * any of them (training, shuffled probes). Lets a caller load only what is needed (a 2,000-image calibration
   * set, not a whole image folder).
   */
  readonly samplesUsed?: (options: O) => number | undefined;
}

/** The JSON every plan starts with; each pass adds its own decisions. */
export interface PlanHeader<O> {
  pass: string;
  /** Version of this pass's plan format. */
  version: 1;
  options: O;
}

export interface PassContext {
  /** Calibration or training samples (the training split). */
  data?: Dataset;
  /** Held-out samples a training pass reports accuracy on. */
  evalData?: Dataset;
  /** A dense teacher for distillation (fine-tuning). */
  teacher?: Graph;
  /** Training passes: write a checkpoint here after every epoch / continue from this one. */
  checkpoint?: string;
  resume?: string;
  log?: (line: string) => void;
  /** Progress bars / epoch lines while training. */
  progress?: boolean;
}

export interface PassResult<R> {
  /** A new graph; the input of `apply` is left exactly as it was. */
  graph: Graph;
  report: R;
}

export interface Pass<O, P extends PlanHeader<O>, R> extends PassSpec<O> {
  plan(g: Graph, options: O, ctx: PassContext): P | Promise<P>;
  apply(g: Graph, plan: P, ctx: PassContext): PassResult<R> | Promise<PassResult<R>>;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds passes of every option, plan and report type.
export type AnyPass = Pass<any, PlanHeader<any>, any>;

/**
 * A model a plan already built on its way (TileTrans permutes a working copy to decide each next group), handed to
 * `apply` of the same plan on the same input instead of being built a second time. Held weakly and taken once: a
 * plan kept for --save-plan keeps no model alive, and a plan read back from JSON (which never has one) is applied
 * the ordinary way.
 */
const builtByPlan = new WeakMap<object, { input: Graph; graph: Graph }>();

export function keepBuilt(plan: object, input: Graph, graph: Graph): void {
  builtByPlan.set(plan, { input, graph });
}

/** The model `plan` built on `input` (once), or undefined: apply then builds it. */
export function takeBuilt(plan: object, input: Graph): Graph | undefined {
  const b = builtByPlan.get(plan);
  builtByPlan.delete(plan);
  return b && b.input === input ? b.graph : undefined;
}

/** `ctx.data`, or a ReproError saying what needs samples, and what for. */
export function needData(ctx: PassContext, what: string, kind: 'calibration' | 'training'): Dataset {
  if (!ctx.data)
    throw new ReproError(
      `${what}: needs ${kind} data; add --data mnist (or fashion-mnist, a folder or data files), or give PassContext.data / options.data in the library`,
    );
  return ctx.data;
}
