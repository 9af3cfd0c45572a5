// A small option parser: `--name value`, `--name=value`, boolean flags, repeatable options and
// positionals. Unknown options are a HarnessError (exit 2), never silently ignored.
import type { Dialect } from '../src/klp/index.js';
import { HarnessError } from './errors.js';

export interface OptionSpec {
  /** Takes a value (otherwise a boolean flag). */
  value?: boolean;
  /** May be given more than once (values collected in order). */
  repeat?: boolean;
}

export interface ParsedArgs {
  options: Map<string, string[]>;
  flags: Set<string>;
  positional: string[];
}

export function parseArgs(argv: readonly string[], spec: Record<string, OptionSpec>, command: string): ParsedArgs {
  const out: ParsedArgs = { options: new Map(), flags: new Set(), positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '--') {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    const s = spec[name];
    if (!s) throw new HarnessError(`${command}: unknown option '--${name}' (see klp-harness --help)`);
    if (!s.value) {
      if (eq >= 0) throw new HarnessError(`${command}: --${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new HarnessError(`${command}: --${name} needs a value`);
    const prior = out.options.get(name);
    if (prior && !s.repeat) throw new HarnessError(`${command}: --${name} given twice`);
    out.options.set(name, [...(prior ?? []), value]);
  }
  return out;
}

export const option = (a: ParsedArgs, name: string): string | undefined => a.options.get(name)?.[0];

export function positiveInt(a: ParsedArgs, name: string, fallback: number): number {
  const v = option(a, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new HarnessError(`--${name} takes a positive integer, not '${v}'`);
  return Number(v);
}

export function dialectOption(a: ParsedArgs): Dialect | undefined {
  const v = option(a, 'dialect');
  if (v === undefined) return undefined;
  if (v !== 'symbols' && v !== 'annotation' && v !== 'post-link') throw new HarnessError(`--dialect takes 'symbols', 'annotation' or 'post-link', not '${v}'`);
  return v;
}
