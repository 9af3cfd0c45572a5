// The subcommand table. A subcommand is a module exporting `run(argv): Promise<number>` (the exit
// status), its `usage` (what `klp-harness <command> --help` prints; its lines before the first
// blank one are the synopsis `klp-harness --help` shows) and the `options` it parses; adding one
// is one line here, loaded lazily so a broken or slow module never affects the others' runs.
import type { OptionSpec } from '../args.js';

export interface SubcommandModule {
  run(argv: readonly string[]): Promise<number>;
  /** What `klp-harness <command> --help` prints: a synopsis naming every option, a blank line, prose. */
  usage: string;
  /** Every option the command accepts (a test holds the usage to naming each one). */
  options: Record<string, OptionSpec>;
}

export interface Subcommand {
  summary: string;
  load: () => Promise<SubcommandModule>;
}

export const SUBCOMMANDS: Record<string, Subcommand> = {
  run: { summary: 'differential run against a reference build', load: () => import('./run-command.js') },
  dump: { summary: 'print the canonical section-level model of one object', load: () => import('./dump-command.js') },
  merge: { summary: 'join shard reports into the report and verdict of the whole corpus', load: () => import('./merge-command.js') },
  golden: { summary: 'check our converter against the goldens (no reference), or regenerate them from references', load: () => import('./golden-command.js') },
  gen: { summary: 'write generated scenarios as cases', load: () => import('./gen-command.js') },
  list: { summary: 'list cases with their metadata and shared-symbol use', load: () => import('./list-command.js') },
  deviations: { summary: 'the reference models and their deviations (--markdown renders docs/divergences.md)', load: () => import('./deviations-command.js') },
  minimize: { summary: 'shrink a diverging case by delta debugging', load: () => import('./minimize-command.js') },
  'bisect-run': { summary: 'git bisect run helper: 0 all agree, 1 a case diverges, 125 cannot test', load: () => import('./bisect-command.js') },
  load: {
    summary: 'load converted kernel cases into a real kernel under QEMU',
    load: async () => {
      const m = await import('../kernel/cli.js');
      return { run: m.runLoad, usage: m.LOAD_USAGE, options: m.LOAD_OPTIONS };
    },
  },
  kallsyms: {
    summary: 'boot a kernel and dump its /proc/kallsyms',
    load: async () => {
      const m = await import('../kernel/cli.js');
      return { run: m.runKallsyms, usage: m.KALLSYMS_USAGE, options: m.KALLSYMS_OPTIONS };
    },
  },
};
