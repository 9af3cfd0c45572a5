#!/usr/bin/env node
// Turns the kbuild objects of scripts/real-corpus/build.sh into cases/real/<arch>/<name>-<variant>/:
//   -symbols     input.ko = the object (ld -r'd with KLP_SYMPOS annotations where a name it needs
//                is ambiguous in the real kernel), symbols.klp = the real kernel's file trimmed to
//                what the object asks about plus filler
//   -ambiguous   the same input, a symbols.klp where one converted name got a second occurrence
//   -annotation  the object with every symbol that must convert renamed to .klp.sym.rela.*
// Deterministic: the same objects and kernel data give the same bytes.
//
//   node make-cases.mjs --work DIR --src DIR --out DIR --objects FILE --arch=A [--arch=B ...]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = (p) => import(join(repo, 'dist/src', p));
const { readElf } = await dist('elf/read.js');
const { decodeSymbols, symtabIndex } = await dist('elf/symbols.js');
const { decodeRelocs, isRelocSection } = await dist('elf/relocs.js');
const { parseSystemMap } = await dist('klp/symbols-gen.js');
const { convert, KlpError } = await dist('index.js');
let planConversion;
try {
  ({ planConversion } = await dist('klp/plan.js'));
} catch {
  planConversion = undefined;
}

// ---- arguments -------------------------------------------------------------------------------
const args = { arches: [] };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a.startsWith('--arch=')) args.arches.push(a.slice(7));
  else if (['--work', '--src', '--out', '--objects'].includes(a)) args[a.slice(2)] = process.argv[++i];
  else throw new Error(`make-cases: unknown argument ${a}`);
}
for (const k of ['work', 'src', 'out', 'objects']) if (!args[k]) throw new Error(`make-cases: --${k} is required`);
const work = resolve(args.work);

const ARCH = {
  x86_64: { darch: 'amd64', flavour: 'amd64', karch: 'x86', triplet: 'x86_64-linux-gnu', cc: 'gcc-12', abi: '6.1.0-57', version: '6.1.192-3', ptr: '.quad', ldm: ['-m', 'elf_x86_64'], asf: ['--64'] },
  aarch64: { darch: 'arm64', flavour: 'arm64', karch: 'arm64', triplet: 'aarch64-linux-gnu', cc: 'aarch64-linux-gnu-gcc-12', abi: '6.1.0-57', version: '6.1.192-3', ptr: '.quad', ldm: ['-EL', '-maarch64elf'], asf: ['-EL'] },
  ppc64le: { darch: 'ppc64el', flavour: 'powerpc64le', karch: 'powerpc', triplet: 'powerpc64le-linux-gnu', cc: 'powerpc64le-linux-gnu-gcc-12', abi: '6.1.0-57', version: '6.1.192-3', ptr: '.quad', ldm: ['-EL', '-m', 'elf64lppc'], asf: ['-a64', '-mlittle'] },
  s390x: { darch: 's390x', flavour: 's390x', karch: 's390', triplet: 's390x-linux-gnu', cc: 's390x-linux-gnu-gcc-12', abi: '6.1.0-50', version: '6.1.176-1', ptr: '.quad', ldm: ['-m', 'elf64_s390'], asf: ['-m64'] },
};
const SOURCE = 'linux-source-6.1 6.1.192-3';
const FFS = "KCFLAGS='-ffunction-sections -fdata-sections'";
/** Flag sets: O= dir suffix, case id suffix, toolchain (gnu: <triplet>-gcc-12 and binutils; llvm: clang-15 with LLVM=-15). */
const FLAGSETS = {
  kbuild: { dir: 'kbuild', suffix: '', llvm: false, ffs: false },
  'kbuild-ffs': { dir: 'ffs', suffix: '-ffs', llvm: false, ffs: true },
  clang: { dir: 'clang', suffix: '-clang', llvm: true, ffs: false },
  'clang-ffs': { dir: 'clang-ffs', suffix: '-clang-ffs', llvm: true, ffs: true },
};
const LLVM = { cc: 'clang-15', ld: 'ld.lld-15', objcopy: 'llvm-objcopy-15' };
/** Assembler, ld -r and objcopy of a flag set's toolchain, as [command, argv-prefix] pairs. */
function tools(A, F) {
  if (F.llvm) {
    return {
      as: [LLVM.cc, [`--target=${A.triplet}`, '-c']],
      ld: [LLVM.ld, ['-r']],
      objcopy: [LLVM.objcopy, []],
    };
  }
  return { as: [`${A.triplet}-as`, A.asf], ld: [`${A.triplet}-ld`, [...A.ldm, '-r']], objcopy: [`${A.triplet}-objcopy`, []] };
}
const cmdText = ([c, a], rest) => [c, ...a, ...rest].join(' ');

// ---- helpers ---------------------------------------------------------------------------------
const run = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
const firstLine = (s) => s.split('\n')[0].trim();
const sha = (s) => createHash('sha1').update(s).digest('hex');
/** Paths of this machine's work dir are written as $WORK, so case.json does not depend on it. */
const portable = (s) => s.split(work).join('$WORK');
const json = (v) => `${JSON.stringify(v, null, 2)}\n`;

function objectList(file, arch) {
  const out = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [which, path, ...sets] = line.split(/\s+/);
    if (which !== 'all' && which !== arch) continue;
    for (const flagSet of sets.length ? sets : ['kbuild']) {
      if (!FLAGSETS[flagSet]) throw new Error(`make-cases: ${file}: unknown flag set ${flagSet}`);
      out.push({ path, flagSet });
    }
  }
  return out;
}

/** symbols.klp as a list of objects, each with its names in file order. */
function parseKlp(text) {
  const lines = text.split('\n');
  if (!lines[0].startsWith('klp-convert-symbol-data.')) throw new Error('not a symbols.klp');
  const objects = [];
  let cur;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (line[0] === '*') objects.push((cur = { objname: line.slice(1), names: [] }));
    else cur.names.push(line);
  }
  return { magic: lines[0], objects };
}

/** The kernel data of one arch: the full symbols.klp, name index, System.map types. */
function loadKernel(arch) {
  const A = ARCH[arch];
  const klp = parseKlp(readFileSync(join(work, 'klp', `full-${arch}.klp`), 'latin1'));
  const byName = new Map(); // name -> [{o, i, pos}] pos: 1-based among same name in that object
  const exported = new Set();
  klp.objects.forEach((obj, o) => {
    const seen = new Map();
    obj.names.forEach((n, i) => {
      const pos = (seen.get(n) ?? 0) + 1;
      seen.set(n, pos);
      let l = byName.get(n);
      if (!l) byName.set(n, (l = []));
      l.push({ o, i, pos });
      if (n.startsWith('__ksymtab_')) exported.add(n.slice(10));
    });
  });
  if (klp.objects[0]?.objname !== 'vmlinux') throw new Error(`${arch}: vmlinux is not the first object`);
  // System.map type letters, aligned with the names parseSystemMap keeps.
  const mapPath = join(work, 'pkg', arch, 'dbg/usr/lib/debug/boot', `System.map-${A.abi}-${A.flavour}`);
  const mapText = readFileSync(mapPath, 'latin1');
  const kept = parseSystemMap(mapText).names;
  const types = new Array(kept.length);
  let j = 0;
  for (const line of mapText.split('\n')) {
    const m = /^([0-9a-fA-F]+)\s+(\S)\s+(\S+)\s*$/.exec(line);
    if (m && j < kept.length && m[3] === kept[j]) types[j++] = m[2];
  }
  if (j !== kept.length || kept.length !== klp.objects[0].names.length) throw new Error(`${arch}: System.map and the vmlinux list of full-${arch}.klp do not line up`);
  const modDir = join(work, 'pkg', arch, 'image/lib/modules', `${A.abi}-${A.flavour}`, 'kernel');
  let modFiles;
  const moduleFile = (objname) => {
    if (!modFiles) {
      modFiles = new Map();
      const walk = (d) => {
        for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
          if (e.isDirectory()) walk(join(d, e.name));
          else if (e.name.endsWith('.ko')) modFiles.set(e.name.slice(0, -3).replace(/-/g, '_'), join(d, e.name));
        }
      };
      walk(modDir);
    }
    return modFiles.get(objname);
  };
  const bindCache = new Map();
  /** Bindings of a module's listed symbols, in the order symbols.klp lists them. */
  const moduleBindings = (o) => {
    if (bindCache.has(o)) return bindCache.get(o);
    const { objname, names } = klp.objects[o];
    const f = moduleFile(objname);
    let out;
    if (f) {
      const elf = readElf(new Uint8Array(readFileSync(f)));
      const syms = decodeSymbols(elf, symtabIndex(elf)).slice(1);
      const list = [];
      for (const s of syms) {
        if (s.name === '' || s.shndx === 0 || s.shndx >= 0xff00 || s.shndx >= elf.sections.length) continue;
        const sec = elf.sections[s.shndx];
        if ((sec.flags & 2n) === 0n || sec.name.startsWith('.init') || sec.name === '.modinfo' || sec.name === '__versions') continue;
        list.push({ name: s.name, bind: s.bind });
      }
      const exportsOnly = names.slice(list.length);
      if (list.some((s, i) => s.name !== names[i]) || exportsOnly.some((n) => !n.startsWith('__ksymtab_'))) throw new Error(`${arch}: ${f} does not match ${objname} in full-${arch}.klp`);
      out = list.map((s) => s.bind);
    }
    bindCache.set(o, out);
    return out;
  };
  return { arch, klp, byName, exported, types, moduleBindings };
}

/** Filler names of one arch: the same for every object, so cases differ only where objects do. */
function chooseFiller(K) {
  const vml = [];
  const mods = [];
  const dups = [];
  for (const [name, occ] of K.byName) {
    if (occ.length > 6) continue;
    const h = sha(`${K.arch}:${name}`);
    if (occ.length >= 2) dups.push({ name, h });
    else if (occ[0].o === 0) vml.push({ name, h });
    else mods.push({ name, h });
  }
  const pick = (l, n) => l.sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0)).slice(0, n).map((x) => x.name);
  return new Set([...pick(vml, 200), ...pick(mods, 80), ...pick(dups, 30)]);
}

/** The kbuild command of an object from its .cmd file. */
function kbuildCommand(objDir, path) {
  const cmdFile = join(objDir, dirname(path), `.${basename(path)}.cmd`);
  const text = readFileSync(cmdFile, 'utf8');
  const line = text.split('\n').find((l) => l.startsWith(`cmd_${path} := `));
  const cmd = line.slice(`cmd_${path} := `.length);
  const [compile, ...post] = cmd.split(/\s*;\s*/);
  const words = compile.trim().split(/\s+/);
  const cc = words[0];
  const cAt = words.indexOf('-c');
  const flags = words.slice(1, cAt).filter((w) => !w.startsWith('-Wp,-MMD'));
  const modname = /-DKBUILD_MODNAME='"([^"]+)"'/.exec(compile)?.[1];
  const isModule = flags.includes('-DMODULE');
  return { cc, flags: portable(flags.join(' ')), post: portable(post.filter(Boolean).join(' ; ')), modname, isModule, source: words[words.length - 1] };
}

function symbolsOf(bytes) {
  const elf = readElf(bytes);
  return { elf, syms: decodeSymbols(elf, symtabIndex(elf)) };
}

/** What the object holds that a converter meets, as tags, plus counts. */
function describe(bytes, flagSet, converting) {
  const { elf, syms } = symbolsOf(bytes);
  const names = elf.sections.map((s) => s.name);
  const has = (n) => names.includes(n);
  const tags = [];
  const tag = (t, c) => c && !tags.includes(t) && tags.push(t);
  tag('jump-table', has('__jump_table'));
  tag('altinstructions', has('.altinstructions'));
  tag('static-call', has('.static_call_sites'));
  tag('ex-table', has('__ex_table'));
  tag('bug-table', has('__bug_table'));
  const pfe = elf.sections.filter((s) => s.name === '__patchable_function_entries');
  tag('patchable-function-entries', pfe.length > 0);
  tag('patchable-function-entries-link-order', pfe.length > 1 && pfe.every((s) => (s.flags & 0x80n) !== 0n));
  tag('mcount-loc', has('__mcount_loc'));
  const tocSec = names.some((n) => n === '.toc' || n.startsWith('.toc.'));
  const tocSym = syms.some((s) => s.name === '.TOC.' && s.shndx === 0);
  tag('toc', tocSec || tocSym);
  tag('toc-section', tocSec);
  tag('toc-undefined', tocSym);
  tag('cold-clone', syms.some((s) => /\.cold(\.\d+)?$/.test(s.name)));
  tag('part-clone', syms.some((s) => s.name.includes('.part.')));
  tag('isra', syms.some((s) => s.name.includes('.isra.')));
  tag('constprop', syms.some((s) => s.name.includes('.constprop.')));
  tag('comdat-group', elf.sections.some((s) => s.type === 17));
  tag('ffs', FLAGSETS[flagSet].ffs);
  tag('clang', FLAGSETS[flagSet].llvm);
  tag('ksymtab', names.some((n) => n.startsWith('___ksymtab')));
  tag('crc', syms.some((s) => s.name.startsWith('__crc_')));
  tag('smp-locks', has('.smp_locks'));
  tag('paravirt', has('.parainstructions'));
  tag('retpoline-sites', has('.retpoline_sites'));
  tag('return-sites', has('.return_sites'));
  tag('orc', has('.orc_unwind'));
  tag('feature-fixup', names.some((n) => /^__(mmu_|fw_)?ftr_fixup$|^__lwsync_fixup$|_fixup$/.test(n) && n.startsWith('__')));
  tag('percpu', has('.data..percpu'));
  tag('tracepoints', names.some((n) => n === '__tracepoints' || n === '_ftrace_events'));
  tag('init-exit', has('.init.text') || has('.exit.text'));
  tag('discard-sections', names.some((n) => n.startsWith('.discard.')));
  tag('expolines', names.some((n) => n.startsWith('.s390_indirect') || n.startsWith('.s390_return')));
  tag('gnu-property-note', has('.note.gnu.property'));
  tag('module-relocs-annotation', names.some((n) => n.startsWith('.klp.module_relocs.')));
  // Relocations: wide addends, and where the symbols that must convert are used.
  let wide = 0;
  let convRelas = 0;
  const convSections = new Map();
  const perSymbolSections = new Map();
  const symtab = symtabIndex(elf);
  for (const sec of elf.sections) {
    if (!isRelocSection(sec) || sec.link !== symtab) continue;
    const base = elf.sections[sec.info]?.name ?? '?';
    // The converter removes KLP_SYMPOS annotation sections: their relocations are not conversions.
    const annotation = base.startsWith('.klp.module_relocs.');
    for (const r of decodeRelocs(elf.header.ident, sec)) {
      if (r.addend >= 2n ** 31n || r.addend < -(2n ** 31n)) wide++;
      const s = syms[r.symbol];
      if (r.symbol && !annotation && converting.has(s.name) && s.shndx === 0) {
        convRelas++;
        convSections.set(base, (convSections.get(base) ?? 0) + 1);
        let l = perSymbolSections.get(s.name);
        if (!l) perSymbolSections.set(s.name, (l = new Set()));
        l.add(sec.name);
      }
    }
  }
  tag('wide-addend', wide > 0);
  tag('shared-symbol-across-sections', [...perSymbolSections.values()].some((l) => l.size >= 2));
  for (const special of ['__jump_table', '.static_call_sites', '.altinstructions', '.altinstr_replacement', '__ex_table', '__bug_table', '.smp_locks', '__ftr_fixup', '__mmu_ftr_fixup', '__fw_ftr_fixup', '__lwsync_fixup']) {
    tag(`converted-in-${special.replace(/^[._]+/, '').replace(/_/g, '-')}`, convSections.has(special));
  }
  const stats = {
    sections: elf.sections.length,
    symbols: syms.length,
    undefined: syms.filter((s, i) => i > 0 && s.shndx === 0 && s.name !== '').length,
    convertibleSymbols: perSymbolSections.size,
    convertibleRelas: convRelas,
    maxRelaSectionsPerSymbol: Math.max(0, ...[...perSymbolSections.values()].map((l) => l.size)),
    wideAddends: wide,
    patchableFunctionEntrySections: pfe.length,
    groups: elf.sections.filter((s) => s.type === 17).length,
    convertedFrom: Object.fromEntries([...convSections].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
  };
  return { tags, stats };
}

/** Runs our converter; "convert" or the error kind, with the message and every refusal. */
function ours(input, symbols) {
  const r = { expect: 'convert' };
  try {
    const { report } = convert(input, symbols ? { symbols } : {});
    r.converted = report.symbols.length;
    if (report.warnings?.length) r.warnings = report.warnings;
  } catch (e) {
    if (!(e instanceof KlpError)) {
      r.expect = 'crash';
      r.message = String(e?.stack ?? e).split('\n').slice(0, 3).join(' | ');
      return r;
    }
    r.expect = e.kind;
    r.message = e.message;
    if (planConversion) {
      try {
        const plan = planConversion(readElf(input), symbols ? { dialect: 'symbols', symbolsFile: symbols } : { dialect: 'annotation' });
        const kinds = {};
        for (const x of plan.refusals) kinds[x.kind] = (kinds[x.kind] ?? 0) + 1;
        r.refusals = kinds;
        const secs = [...new Set(plan.refusals.filter((x) => x.kind === 'unsupported-section').map((x) => `${x.where?.section}:${x.where?.symbol}`))];
        if (secs.length) r.unsupported = secs.slice(0, 20);
      } catch {
        /* the message is enough */
      }
    }
  }
  return r;
}

// ---- per arch --------------------------------------------------------------------------------
const toolVersions = {};
function versions(A, F) {
  const key = F.llvm ? 'llvm' : A.triplet;
  if (!toolVersions[key]) {
    toolVersions[key] = F.llvm
      ? { compiler: LLVM.cc, compilerVersion: firstLine(run(LLVM.cc, ['--version'])), binutils: firstLine(run(LLVM.ld, ['--version'])) }
      : { compiler: 'gcc-12', compilerVersion: firstLine(run(A.cc, ['--version'])), binutils: firstLine(run(`${A.triplet}-ld`, ['--version'])) };
  }
  return toolVersions[key];
}

const summary = [];
for (const arch of args.arches) {
  const A = ARCH[arch];
  const K = loadKernel(arch);
  const filler = chooseFiller(K);
  const outArch = join(args.out, arch);
  rmSync(outArch, { recursive: true, force: true });
  mkdirSync(outArch, { recursive: true });
  const tmp = join(work, 'tmp', `cases-${arch}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const imagePkg = `linux-image-${A.abi}-${A.flavour} ${A.version} (${A.darch})`;
  const symbolsPkgs = `System.map-${A.abi}-${A.flavour} from linux-image-${A.abi}-${A.flavour}-dbg ${A.version} (${A.darch}); Module.symvers from linux-headers-${A.abi}-${A.flavour} ${A.version}; modules from ${imagePkg} /lib/modules/${A.abi}-${A.flavour}/kernel; via klp-convert symbols`;
  const mismatch = A.version !== '6.1.192-3' ? ` (kernel data ${A.version}: no bookworm-security build for ${A.darch}; objects built from ${SOURCE})` : '';

  for (const { path, flagSet } of objectList(args.objects, arch)) {
    const F = FLAGSETS[flagSet];
    const V = versions(A, F);
    const T = tools(A, F);
    const objDir = join(work, 'obj', `${arch}-${F.dir}`);
    const objPath = join(objDir, path);
    if (!existsSync(objPath)) {
      console.error(`make-cases: ${arch} ${flagSet}: ${path} was not built; no cases`);
      continue;
    }
    const name = path.replace(/\.o$/, '').replace(/[/_]/g, '-') + F.suffix;
    const kb = kbuildCommand(objDir, path);
    const lpobj = kb.isModule ? kb.modname : 'vmlinux';
    const objBytes = new Uint8Array(readFileSync(objPath));
    const { syms } = symbolsOf(objBytes);

    // Which undefined names must convert, and where each one is in the real kernel.
    const undef = [];
    for (const [i, s] of syms.entries()) if (i > 0 && s.shndx === 0 && s.name !== '' && !undef.includes(s.name)) undef.push(s.name);
    const converting = undef.filter((n) => n !== '.TOC.' && !K.exported.has(n));
    const missing = [];
    const choice = new Map(); // name -> {objname, sympos, occurrences, annotated, why}
    for (const n of converting) {
      const occ = K.byName.get(n) ?? [];
      if (occ.length === 0) {
        missing.push(n);
        choice.set(n, { objname: 'vmlinux', sympos: 0, occurrences: 0, annotated: false });
        continue;
      }
      if (occ.length === 1) {
        choice.set(n, { objname: K.klp.objects[occ[0].o].objname, sympos: 0, occurrences: 1, annotated: false });
        continue;
      }
      // Ambiguous: the global definition in vmlinux, else in a module (the object's own first).
      let pick;
      let why;
      const inVml = occ.filter((x) => x.o === 0);
      const glob = inVml.filter((x) => /^[TDBRG]$/.test(K.types[x.i])).concat(inVml.filter((x) => /^[A-Z]$/.test(K.types[x.i]) && !/^[TDBRG]$/.test(K.types[x.i])));
      if (glob.length) {
        pick = glob[0];
        why = `vmlinux global (System.map type ${K.types[pick.i]})`;
      } else {
        const mods = [...new Set(occ.filter((x) => x.o !== 0).map((x) => x.o))];
        mods.sort((a, b) => (K.klp.objects[a].objname === kb.modname ? -1 : K.klp.objects[b].objname === kb.modname ? 1 : a - b));
        for (const o of mods) {
          const binds = K.moduleBindings(o);
          const g = binds && occ.find((x) => x.o === o && binds[x.i] === 1);
          if (g) {
            pick = g;
            why = `global in module ${K.klp.objects[o].objname}`;
            break;
          }
        }
        if (!pick) {
          pick = inVml[0] ?? occ[0];
          why = 'no global definition found: first occurrence';
        }
      }
      const count = occ.filter((x) => x.o === pick.o).length;
      choice.set(n, { objname: K.klp.objects[pick.o].objname, sympos: count > 1 ? pick.pos : 0, occurrences: occ.length, annotated: true, why });
    }
    const annotated = converting.filter((n) => choice.get(n).annotated);

    // Trimmed symbols.klp: every occurrence of the undefined names, their __ksymtab_ lines, filler.
    const wantNames = new Set([...undef, ...filler]);
    const wantKsymtab = new Set(undef.filter((n) => K.exported.has(n)).map((n) => `__ksymtab_${n}`));
    const trimmed = [];
    for (const obj of K.klp.objects) {
      const names = obj.names.filter((n) => wantNames.has(n) || wantKsymtab.has(n));
      if (obj.objname === 'vmlinux') names.push(...missing);
      if (names.length || obj.objname === 'vmlinux') trimmed.push({ objname: obj.objname, names });
    }
    const klpText = (objs) => `${K.klp.magic}\n${objs.map((o) => [`*${o.objname}`, ...o.names].join('\n')).join('\n')}\n`;

    const caseDir = (variant) => join(outArch, `${name}-${variant}`);
    const prov = {
      source: SOURCE,
      config: `${imagePkg} /boot/config-${A.abi}-${A.flavour} + scripts/config: DEBUG_INFO_NONE (DWARF and BTF off), MODULE_SIG off, SYSTEM_TRUSTED_KEYS="" SYSTEM_REVOCATION_KEYS=""; make${F.llvm ? ' LLVM=-15' : ''} olddefconfig${F.llvm ? ' (CC_IS_CLANG, LD_IS_LLD, AS_IS_LLVM)' : ''}${mismatch}`,
      command: F.llvm
        ? `make -C $WORK/src/linux-source-6.1 O=$WORK/obj/${arch}-${F.dir} ARCH=${A.karch} LLVM=-15${F.ffs ? ` ${FFS}` : ''} ${path}`
        : `make -C $WORK/src/linux-source-6.1 O=$WORK/obj/${arch}-${F.dir} ARCH=${A.karch} CROSS_COMPILE=${A.triplet}- CC=${A.cc} HOSTCC=gcc-12 HOSTCXX=g++-12${F.ffs ? ` ${FFS}` : ''} ${path}`,
      kbuildPostprocess: kb.post || undefined,
      symbols: symbolsPkgs,
    };
    const base = {
      arch,
      compiler: V.compiler,
      compilerVersion: V.compilerVersion,
      binutils: V.binutils,
      cc: kb.cc,
      flags: kb.flags,
      flagSet,
    };
    const choices = Object.fromEntries(annotated.map((n) => [n, choice.get(n)]));

    // (a) -symbols
    mkdirSync(caseDir('symbols'), { recursive: true });
    const inputA = join(caseDir('symbols'), 'input.ko');
    let annotationCmd;
    if (annotated.length) {
      const byObj = new Map();
      for (const n of annotated) {
        const c = choice.get(n);
        if (!byObj.has(c.objname)) byObj.set(c.objname, []);
        byObj.get(c.objname).push(n);
      }
      let s = `# KLP_SYMPOS annotations for ${path}: packed { ${A.ptr} sym; .long sympos } entries (12 bytes)\n`;
      for (const [o, ns] of byObj) {
        s += `\t.section .klp.module_relocs.${o},"aw"\n`;
        for (const n of ns) s += `\t${A.ptr} ${n}\n\t.long ${choice.get(n).sympos}\n`;
      }
      const sFile = join(tmp, `${name}.klp-sympos.s`);
      const aFile = join(tmp, `${name}.klp-sympos.o`);
      writeFileSync(sFile, s);
      run(T.as[0], [...T.as[1], '-o', aFile, sFile]);
      run(T.ld[0], [...T.ld[1], '-o', inputA, objPath, aFile]);
      annotationCmd = `${cmdText(T.as, ['-o', 'klp-sympos.o', 'klp-sympos.s'])} && ${cmdText(T.ld, ['-o', 'input.ko', path, 'klp-sympos.o'])}; klp-sympos.s:\n${s}`;
    } else {
      copyFileSync(objPath, inputA);
    }
    const inA = new Uint8Array(readFileSync(inputA));
    const klpA = klpText(trimmed);
    writeFileSync(join(caseDir('symbols'), 'symbols.klp'), klpA, 'latin1');
    const convSet = new Set(converting);
    const dA = describe(inA, flagSet, convSet);
    if (annotated.length) dA.tags.push('sympos-annotation');
    if (missing.length) dA.tags.push('symbol-not-in-kernel');
    if (kb.isModule) dA.tags.push('module-object');
    const rA = ours(inA, Buffer.from(klpA, 'latin1'));
    const caseA = {
      id: `real/${arch}/${name}-symbols`,
      ...base,
      dialect: 'symbols',
      expect: rA.expect,
      ...(rA.message ? { note: `ours: ${rA.message}`, oursRefusals: rA.refusals, oursUnsupported: rA.unsupported } : {}),
      source: kb.source.replace(/^.*linux-source-6\.1\//, ''),
      module: kb.isModule ? kb.modname : undefined,
      exercises: dA.tags,
      stats: dA.stats,
      ...(annotated.length ? { sympos: choices } : {}),
      ...(missing.length ? { notInKernel: missing, notInKernelNote: 'undefined in the object but not in the real kernel: added under *vmlinux' } : {}),
      provenance: { ...prov, ...(annotationCmd ? { annotation: annotationCmd } : {}) },
    };
    writeFileSync(join(caseDir('symbols'), 'case.json'), json(caseA));
    summary.push([caseA.id, rA.expect, rA.message ?? '']);

    // (b) -ambiguous: one converted, unannotated name gets a second occurrence in another object.
    const victim = converting.find((n) => !choice.get(n).annotated && choice.get(n).occurrences === 1);
    if (victim) {
      const home = choice.get(victim).objname;
      const other = trimmed.find((o) => o.objname !== 'vmlinux' && o.objname !== home) ?? trimmed.find((o) => o.objname !== home);
      const objs = trimmed.map((o) => (o === other ? { objname: o.objname, names: [...o.names, victim] } : o));
      mkdirSync(caseDir('ambiguous'), { recursive: true });
      symlinkSync(`../${name}-symbols/input.ko`, join(caseDir('ambiguous'), 'input.ko'));
      const klpB = klpText(objs);
      writeFileSync(join(caseDir('ambiguous'), 'symbols.klp'), klpB, 'latin1');
      const rB = ours(inA, Buffer.from(klpB, 'latin1'));
      const caseB = {
        id: `real/${arch}/${name}-ambiguous`,
        ...base,
        dialect: 'symbols',
        expect: rB.expect,
        note: `'${victim}' (unique in ${home} in the real kernel) was given a second occurrence at the end of *${other.objname}${rB.expect !== 'ambiguous-symbol' ? `; ours refuses first with: ${rB.message}` : ''}`,
        ...(rB.refusals ? { oursRefusals: rB.refusals } : {}),
        source: caseA.source,
        module: caseA.module,
        exercises: [...dA.tags, 'ambiguous-symbol'],
        ambiguous: { name: victim, objname: home, addedIn: other.objname },
        provenance: { ...caseA.provenance, symbols: `${symbolsPkgs}; plus a synthetic second '${victim}' in *${other.objname}` },
      };
      writeFileSync(join(caseDir('ambiguous'), 'case.json'), json(caseB));
      summary.push([caseB.id, rB.expect, rB.message ?? '']);
    }

    // (c) -annotation: every symbol that must convert renamed .klp.sym.rela.<lpobj>.<objname>.<name>,<sympos>.
    mkdirSync(caseDir('annotation'), { recursive: true });
    const inputC = join(caseDir('annotation'), 'input.ko');
    const redefs = converting.map((n) => `${n}=.klp.sym.rela.${lpobj}.${choice.get(n).objname}.${n},${choice.get(n).sympos}`);
    if (redefs.length) {
      const redefFile = join(tmp, `${name}.redefine`);
      writeFileSync(redefFile, redefs.map((r) => r.replace('=', ' ')).join('\n') + '\n');
      run(T.objcopy[0], [...T.objcopy[1], `--redefine-syms=${redefFile}`, objPath, inputC]);
    } else {
      copyFileSync(objPath, inputC);
    }
    const inC = new Uint8Array(readFileSync(inputC));
    const convNamesC = new Set(redefs.map((r) => r.slice(r.indexOf('=') + 1)));
    const dC = describe(inC, flagSet, convNamesC);
    if (kb.isModule) dC.tags.push('module-object');
    if (annotated.length) dC.tags.push('sympos-nonzero-or-chosen');
    const rC = ours(inC, undefined);
    const toVmlinux = kb.isModule ? converting.filter((n) => choice.get(n).objname === 'vmlinux') : [];
    const notes = [];
    if (rC.message) notes.push(`ours: ${rC.message}`);
    if (toVmlinux.length) {
      notes.push(`a module object (${lpobj}) with klp relocations to vmlinux symbols (${toVmlinux.join(', ')}): the kernel refuses these ("invalid access to vmlinux symbol"; klp-convert --check: module-section-vmlinux-symbol)`);
    }
    const caseC = {
      id: `real/${arch}/${name}-annotation`,
      ...base,
      dialect: 'annotation',
      expect: rC.expect,
      ...(notes.length ? { note: notes.join('; ') } : {}),
      ...(rC.message ? { oursRefusals: rC.refusals, oursUnsupported: rC.unsupported } : {}),
      source: caseA.source,
      module: caseA.module,
      exercises: dC.tags,
      stats: dC.stats,
      ...(annotated.length ? { sympos: choices } : {}),
      ...(missing.length ? { notInKernel: missing } : {}),
      provenance: {
        ...prov,
        annotation: redefs.length
          ? `${cmdText(T.objcopy, ['--redefine-syms=<file>', path, 'input.ko'])}, the file holding one 'NAME .klp.sym.rela.${lpobj}.<objname>.NAME,<sympos>' line per symbol that must convert (${redefs.length}): ${redefs.join(' ')}`
          : 'nothing to convert: a copy of the object',
      },
    };
    writeFileSync(join(caseDir('annotation'), 'case.json'), json(caseC));
    summary.push([caseC.id, rC.expect, rC.message ?? '']);
  }
  rmSync(tmp, { recursive: true, force: true });
}

const counts = {};
for (const [, e] of summary) counts[e] = (counts[e] ?? 0) + 1;
console.log(`make-cases: ${summary.length} cases: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
for (const [id, e, m] of summary) if (e !== 'convert' && !(e === 'ambiguous-symbol' && id.endsWith('-ambiguous'))) console.log(`  ${id}: ${e}: ${m}`);
