// The post-link rows of `npm run bench`: ours (`klp-convert post-link in out`) against objtool
// (`objtool klp post-link FILE`, on a fresh copy each run, as klp-build runs it) on the largest
// klp-build corpus module and on generated modules of N `__klp_relocs` entries.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildObject, EM, type RelocSpec, type SectionSpec, SHF_ALLOC, SHF_EXECINSTR, STB_GLOBAL, STB_LOCAL, STB_WEAK,
  STT_FUNC, STT_SECTION, writeElf,
} from '../../src/elf/index.js';
import { writeOutput } from '../../src/io/index.js';
import { median, runOnce, spread, type Sample } from './measure.js';

const R_X86_64_64 = 1;
const R_X86_64_PLT32 = 4;
/** klp diff's entries per KLP symbol in real modules: a symbol is used by a few call sites. */
const USES_PER_SYMBOL = 2;

/**
 * An x86_64 module as klp diff and the module link leave it: N calls through `.klp.tombstone.`
 * symbols in .text, and N `__klp_relocs.vmlinux` entries pointing at them, N/2 KLP symbols.
 */
export function syntheticPostLinkModule(n: number): Uint8Array {
  const names = Array.from({ length: Math.max(1, Math.ceil(n / USES_PER_SYMBOL)) }, (_, i) => `bench_fn_${i}`);
  const textRelocs: RelocSpec[] = [];
  const entryRelocs: RelocSpec[] = [];
  const text = new Uint8Array(n * 5 + 16).fill(0x90);
  const entries = new Uint8Array(n * 24);
  const view = new DataView(entries.buffer);
  for (let i = 0; i < n; i++) {
    const name = names[i % names.length]!;
    text[i * 5] = 0xe8;
    textRelocs.push({ offset: BigInt(i * 5 + 1), type: R_X86_64_PLT32, symbol: `.klp.tombstone.${name}`, addend: -4n });
    entryRelocs.push({ offset: BigInt(i * 24), type: R_X86_64_64, symbol: 'bench_patch_main', addend: BigInt(i * 5 + 1) });
    entryRelocs.push({ offset: BigInt(i * 24 + 8), type: R_X86_64_64, symbol: `.klp.sym.vmlinux.${name},0`, addend: -4n });
    view.setUint32(i * 24 + 16, R_X86_64_PLT32, true);
  }
  const sections: SectionSpec[] = [
    { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, addralign: 16n, data: text },
    { name: '__klp_relocs.vmlinux', flags: SHF_ALLOC, addralign: 1n, data: entries },
    { name: '.modinfo', flags: SHF_ALLOC, addralign: 1n, data: new TextEncoder().encode('livepatch=Y\0license=GPL\0name=bench_post_link\0') },
  ];
  return writeElf(buildObject({
    machine: EM.X86_64,
    sections,
    symbols: [
      { name: '', bind: STB_LOCAL, type: STT_SECTION, section: '.text' },
      { name: 'bench_patch_main', bind: STB_GLOBAL, type: STT_FUNC, section: '.text', size: BigInt(text.length) },
      ...names.map((name) => ({ name: `.klp.tombstone.${name}`, bind: STB_GLOBAL })),
      ...names.map((name) => ({ name: `.klp.sym.vmlinux.${name},0`, bind: STB_WEAK })),
    ],
    relocs: { '.text': textRelocs, '__klp_relocs.vmlinux': entryRelocs },
  }));
}

/** The largest input.ko of cases/klp-build, when the corpus is there. */
export function largestKlpBuildModule(root: string): string | undefined {
  const dir = join(root, 'cases/klp-build');
  if (!existsSync(dir)) return undefined;
  let best: { path: string; size: number } | undefined;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name, 'input.ko');
    if (!e.isDirectory() || !existsSync(p)) continue;
    const size = statSync(p).size;
    if (!best || size > best.size) best = { path: p, size };
  }
  return best?.path;
}

export interface PostLinkRow {
  label: string;
  entries: number | null;
  module: string;
  oursMs: number;
  oursRssMiB: number;
  objtoolMs: number | null;
  objtoolRssMiB: number | null;
  /** objtool/ours of the medians, and the spread over the alternating pairs. */
  speedup: number | null;
  speedupSpread: [number, number] | null;
  identicalOutput: boolean | null;
}

/** Ours and objtool on each input, alternating, `runs` times; objtool on a fresh copy each run. */
export function postLinkRows(opts: { work: string; ourCli: string; objtool?: string; runs: number; sizes: readonly number[]; corpusModule?: string; log: (l: string) => void }): PostLinkRow[] {
  const inputs: Array<{ label: string; entries: number | null; module: string }> = opts.sizes.map((n) => {
    const module = join(opts.work, `post-link-${n}.ko`);
    writeOutput(module, syntheticPostLinkModule(n));
    return { label: `post-link N=${n}`, entries: n, module };
  });
  if (opts.corpusModule) inputs.unshift({ label: `post-link ${opts.corpusModule.split('/').at(-2)} (largest klp-build case)`, entries: null, module: opts.corpusModule });
  const ourOut = join(opts.work, 'post-link-ours.ko');
  const refCopy = join(opts.work, 'post-link-objtool.ko');
  const bytes = (p: string): Buffer => readFileSync(p);
  return inputs.map((input) => {
    const ours: Sample[] = [];
    const ref: Sample[] = [];
    let identical: boolean | null = null;
    opts.log(`${input.label}: ${opts.runs} runs each, alternating ours and objtool`);
    for (let i = 0; i < opts.runs; i++) {
      ours.push(ok(runOnce(opts.ourCli, ['post-link', input.module, ourOut], opts.work), 'ours', input.label));
      if (opts.objtool) {
        writeOutput(refCopy, bytes(input.module));
        ref.push(ok(runOnce(opts.objtool, ['klp', 'post-link', refCopy], opts.work), 'objtool', input.label));
        if (i === 0) identical = bytes(ourOut).equals(bytes(refCopy));
      }
    }
    const oursMs = median(ours.map((s) => s.ms));
    const objtoolMs = opts.objtool ? median(ref.map((s) => s.ms)) : null;
    return {
      ...input,
      oursMs,
      oursRssMiB: median(ours.map((s) => s.rssKiB)) / 1024,
      objtoolMs,
      objtoolRssMiB: opts.objtool ? median(ref.map((s) => s.rssKiB)) / 1024 : null,
      speedup: objtoolMs === null ? null : objtoolMs / oursMs,
      speedupSpread: opts.objtool ? spread(ref.map((r, i) => r.ms / ours[i]!.ms)) : null,
      identicalOutput: identical,
    };
  });
}

function ok(s: Sample, who: string, label: string): Sample {
  if (s.status !== 0) throw new Error(`${who} failed on ${label} (exit ${s.status}): ${s.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return s;
}

export function renderPostLinkRows(rows: readonly PostLinkRow[]): string[] {
  const ms = (x: number | null): string => (x === null ? '—' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
  const out = ['', '| post-link input | entries | ours | objtool | objtool/ours (min–max) | ours RSS | objtool RSS | same output |', '|---|---:|---:|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    const ratio = r.speedup === null ? '—' : `${r.speedup.toFixed(2)}× (${r.speedupSpread![0].toFixed(2)}–${r.speedupSpread![1].toFixed(2)})`;
    out.push(`| ${r.label} | ${r.entries ?? '—'} | ${ms(r.oursMs)} | ${ms(r.objtoolMs)} | ${ratio} | ${r.oursRssMiB.toFixed(0)} MiB | ${r.objtoolRssMiB === null ? '—' : `${r.objtoolRssMiB.toFixed(0)} MiB`} | ${r.identicalOutput === null ? '—' : r.identicalOutput ? 'yes' : 'NO'} |`);
  }
  const gen = rows.filter((r) => r.entries !== null);
  for (let k = 1; k < gen.length; k++) {
    const a = gen[k - 1]!;
    const b = gen[k]!;
    out.push(`post-link ${a.entries} → ${b.entries} entries (${(b.entries! / a.entries!).toFixed(0)}×): ours ${(b.oursMs / a.oursMs).toFixed(2)}×${a.objtoolMs && b.objtoolMs ? `, objtool ${(b.objtoolMs / a.objtoolMs).toFixed(2)}×` : ''}`);
  }
  return out;
}
