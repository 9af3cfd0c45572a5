// The subcommand table. A subcommand is a module exporting `run(argv): Promise<number>` (the exit
// status); adding one (gen, minimize, bisect-run, load, kallsyms…) is one line here, loaded lazily
// so a broken or slow module never affects the others.

export interface SubcommandModule {
  run(argv: readonly string[]): Promise<number>;
  /** What `klp-harness <command> --help` prints. */
  usage: string;
}

export interface Subcommand {
  summary: string;
  load: () => Promise<SubcommandModule>;
}

export const SUBCOMMANDS: Record<string, Subcommand> = {
  run: { summary: 'differential run against a reference build', load: () => import('./run-command.js') },
  dump: { summary: 'print the canonical section-level model of one object', load: () => import('./dump-command.js') },
  merge: { summary: 'join shard reports (--json OUT [--junit OUT])', load: () => import('./merge-command.js') },
  golden: { summary: 'golden check [CASE…] | golden update --reference PATH [CASE…]', load: () => import('./golden-command.js') },
  gen: { summary: 'write generated scenarios as cases (--seed S --count N --out DIR)', load: () => import('./gen-command.js') },
  list: { summary: 'list cases with their metadata and shared-symbol use', load: () => import('./list-command.js') },
  deviations: { summary: 'the reference models and their deviations (--markdown renders docs/divergences.md)', load: () => import('./deviations-command.js') },
  minimize: { summary: 'shrink a diverging case by delta debugging (CASE --reference PATH [--out DIR])', load: () => import('./minimize-command.js') },
  'bisect-run': { summary: 'git bisect run helper: 0 all agree, 1 a case diverges, 125 cannot test', load: () => import('./bisect-command.js') },
  load: {
    summary: 'load converted kernel cases into a real kernel under QEMU (--arch, --kernel)',
    load: async () => {
      const m = await import('../kernel/cli.js');
      return { run: m.runLoad, usage: `usage: klp-harness ${m.LOAD_USAGE.replace(/\n/g, '\n       klp-harness ').replace(/klp-harness {5}/g, '                 ')}` };
    },
  },
  kallsyms: {
    summary: 'boot a kernel and dump its /proc/kallsyms (--out FILE)',
    load: async () => {
      const m = await import('../kernel/cli.js');
      return { run: m.runKallsyms, usage: `usage: klp-harness ${m.LOAD_USAGE.split('\n').filter((l) => l.startsWith('kallsyms')).join('\n')}` };
    },
  },
};
