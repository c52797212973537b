/**
 * Command-line flags made from pass specs: every option a pass declares becomes a flag (`budgetMacs` →
 * `--budget-macs`, or the spec's own `flag`), tagged in --help with the passes that read it. Values stay strings
 * here; the pass's schema checks and converts them (`resolveOptions` with `flagNamer`, so errors name the flag).
 */
import type { Command } from 'commander';
import type { OptionSpec, PassSpec } from '../passes/contract.js';
import { flagOf, type OptionNamer } from '../passes/options.js';

/** Errors name options the way the user typed them: as flags. */
export const flagNamer: OptionNamer = (key, spec) => flagOf(key, spec);

/** The attribute commander stores a flag's value under: `--budget-macs` → `budgetMacs`. */
export function attrOf(flag: string): string {
  return flag.replace(/^--(no-)?/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

interface FlagUse {
  spec: OptionSpec;
  tags: string[];
}

function flagSyntax(flag: string, spec: OptionSpec): string {
  if (spec.type !== 'boolean')
    return `${flag} <${spec.type === 'list' ? 'a,b' : spec.type === 'number' ? 'n' : 'value'}>`;
  return spec.default === true ? flag.replace(/^--/, '--no-') : flag;
}

function describe(use: FlagUse): string {
  const s = use.spec;
  const dflt =
    s.type === 'boolean' || s.default === undefined
      ? ''
      : ` (default ${Array.isArray(s.default) ? s.default.join(',') || 'none' : s.default})`;
  const choices = s.type === 'choice' ? ` [${s.values.join('|')}]` : '';
  return `[${use.tags.join('|')}] ${s.help}${choices}${dflt}`;
}

/**
 * Add one flag per option of `specs` (a flag shared by several passes is added once, tagged with all of them),
 * skipping hidden options, keys in `except`, and flags the command already has.
 */
export function addPassFlags(cmd: Command, specs: PassSpec<Record<string, unknown>>[], except: string[] = []): Command {
  const uses = new Map<string, FlagUse>();
  for (const spec of specs) {
    for (const [key, o] of Object.entries(spec.options) as Array<[string, OptionSpec]>) {
      if (o.hidden || except.includes(key)) continue;
      const flag = flagOf(key, o);
      const use = uses.get(flag);
      if (use) use.tags.push(spec.name);
      else uses.set(flag, { spec: o, tags: [spec.name] });
    }
  }
  for (const [flag, use] of uses) {
    if (cmd.options.some((x) => x.long === flag || x.long === flag.replace(/^--/, '--no-'))) continue;
    cmd.option(flagSyntax(flag, use.spec), describe(use));
  }
  return cmd;
}

/** The raw options of one pass from parsed flags (only those the user gave, plus boolean flags' values). */
export function passOptionsFromFlags(
  spec: PassSpec<Record<string, unknown>>,
  flags: Record<string, unknown>,
  except: string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, o] of Object.entries(spec.options) as Array<[string, OptionSpec]>) {
    if (o.hidden || except.includes(key)) continue;
    const v = flags[attrOf(flagOf(key, o))];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
