// Builds the kernel cases' livepatch modules with kbuild against a kernel's headers (or its build
// tree), all in one external-module tree so one `make` (two jobs: the machines are small and
// shared) does them; another architecture's adds ARCH= and CROSS_COMPILE= (makeArgs).
// KBUILD_MODPOST_WARN=1 lets modpost leave the non-exported symbols undefined: converting them is
// klp-convert's job.
import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from '../errors.js';
import { inOwnGroup } from '../processes.js';
import { readInputFile, readInputText, writeOutput } from '../../src/io/index.js';

export interface BuildResult {
  /** module base name → path of the built .ko */
  modules: Map<string, string>;
  ms: number;
}

const SOURCE = /\.(c|h|S)$/;

export async function buildModules(kbuildDir: string, sourceDirs: readonly string[], workDir: string, jobs = 2, makeArgs: readonly string[] = []): Promise<BuildResult> {
  mkdirSync(workDir, { recursive: true });
  const kbuild: string[] = [];
  const owner = new Map<string, string>();
  for (const dir of [...new Set(sourceDirs)].sort()) {
    for (const f of readdirSync(dir).sort()) {
      if (!SOURCE.test(f)) continue;
      const prior = owner.get(f);
      if (prior && prior !== dir) throw new HarnessError(`kernel cases ${prior} and ${dir} both have a source file named ${f}`);
      owner.set(f, dir);
      writeOutput(join(workDir, f), readInputFile(join(dir, f)));
    }
    kbuild.push(`# ${dir}\n${readInputText(join(dir, 'Kbuild'))}`);
  }
  writeOutput(join(workDir, 'Kbuild'), `${kbuild.join('\n')}\n`);
  const started = performance.now();
  const argv = ['-C', kbuildDir, `M=${workDir}`, ...makeArgs, 'KBUILD_MODPOST_WARN=1', `-j${jobs}`, 'modules'];
  const r = await inOwnGroup(execa('make', argv, { reject: false, all: true, stdin: 'ignore', detached: true }));
  if (r.exitCode !== 0) throw new HarnessError(`kbuild failed (make ${argv.join(' ')}):\n${(r.all ?? '').split('\n').slice(-30).join('\n')}`);
  const modules = new Map<string, string>();
  for (const f of readdirSync(workDir)) if (f.endsWith('.ko')) modules.set(f.slice(0, -3), join(workDir, f));
  return { modules, ms: performance.now() - started };
}

export function haveKbuild(kbuildDir: string | undefined): boolean {
  return kbuildDir !== undefined && existsSync(join(kbuildDir, 'Makefile'));
}
