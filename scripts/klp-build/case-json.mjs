#!/usr/bin/env node
// Writes the case.json of one klp-build case (scripts/klp-build/build-case.sh) on stdout. The
// objnames, klp symbols, statistics and "exercises" tags are computed from the objects with
// readelf (binutils): input.ko (before post-link), objtool.ko (after), the kernel's vmlinux and
// modules (where each referenced symbol lives: .data..percpu, .rodata, …).
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

// Usage: see build-case.sh, which passes every field. `case-json.mjs --refresh CASEDIR --orig DIR
// [--observe FILE]` recomputes the fields that come from the objects (objnames, klpSymbols,
// patchedFunctions, stats, exercises) of an existing case and keeps those of its klp-build run.
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
let previous = null;
if (args.refresh) {
  previous = JSON.parse(readFileSync(join(args.refresh, 'case.json'), 'utf8'));
  Object.assign(args, {
    case: args.refresh, id: previous.id, module: previous.module, expect: previous.expect,
    package: previous.source.package, version: previous.source.version, compiler: previous.compiler,
    release: previous.kernel.release, vermagic: previous.kernel.vermagic, 'klp-build': previous.klpBuild,
    'klp-build-seconds': String(previous.klpBuildSeconds), matches: String(previous.objtoolMatchesKlpBuild),
  });
}

const readelf = (...a) => execFileSync('readelf', ['-W', ...a], { encoding: 'utf8', maxBuffer: 1 << 28 });

function sections(file) {
  const secs = [];
  for (const line of readelf('-S', file).split('\n')) {
    const m = line.match(/^\s*\[\s*(\d+)\]\s+(\S*)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(\S*)\s/);
    if (m) secs[Number(m[1])] = { name: m[2], type: m[3], size: parseInt(m[4], 16), flags: m[5] };
  }
  return secs;
}

function symbols(file) {
  const syms = [];
  for (const line of readelf('-s', file).split('\n')) {
    const m = line.match(/^\s*(\d+):\s+([0-9a-f]+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/);
    if (m) syms.push({ value: m[2], size: Number(m[3]), type: m[4], bind: m[5], ndx: m[7], name: m[8] });
  }
  return syms;
}

// Relocation sections: { name, relas: [{ offset, type, sym, addend }] }
function relocations(file) {
  const out = [];
  let cur = null;
  for (const line of readelf('-r', file).split('\n')) {
    const h = line.match(/^Relocation section '([^']+)'/);
    if (h) { cur = { name: h[1], relas: [] }; out.push(cur); continue; }
    const m = line.match(/^([0-9a-f]{16})\s+[0-9a-f]+\s+(\S+)\s+[0-9a-f]+\s+(.*?)\s*([+-])\s*([0-9a-f]+)$/);
    if (cur && m) {
      cur.relas.push({ offset: m[1], type: m[2], sym: m[3], addend: (m[4] === '-' ? -1n : 1n) * BigInt('0x' + m[5]) });
      continue;
    }
    const n = line.match(/^([0-9a-f]{16})\s+[0-9a-f]+\s+(\S+)\s*$/);
    if (cur && n) cur.relas.push({ offset: n[1], type: n[2], sym: '', addend: 0n });
  }
  return out;
}

const caseDir = args.case;
const input = join(caseDir, 'input.ko');
const output = join(caseDir, 'objtool.ko');
const inSecs = sections(input);
const inSyms = symbols(input);
const inRelocs = relocations(input);
const outRelocs = existsSync(output) ? relocations(output) : [];
const outSyms = existsSync(output) ? symbols(output) : [];

// Where a kernel object's symbols live: name -> section name (first definition).
function symbolHomes(file) {
  const secs = sections(file);
  const homes = new Map();
  for (const s of symbols(file)) {
    if (!/^\d+$/.test(s.ndx) || !s.name || homes.has(s.name)) continue;
    homes.set(s.name, secs[Number(s.ndx)]?.name ?? '');
  }
  return homes;
}
const homes = { vmlinux: symbolHomes(join(args.orig, 'vmlinux.o')) };
function moduleHomes(objname) {
  if (homes[objname]) return homes[objname];
  const want = objname.replace(/-/g, '_');
  const found = execFileSync('find', [args.orig, '-name', '*.o', '!', '-name', 'vmlinux.o'], { encoding: 'utf8' }).split('\n')
    .find((f) => f && f.split('/').pop().replace(/\.o$/, '').replace(/-/g, '_') === want);
  homes[objname] = found ? symbolHomes(found) : new Map();
  return homes[objname];
}

// klp symbols: .klp.sym.<objname>.<name>,<sympos>
const klpSyms = [...new Set(inSyms.map((s) => s.name).filter((n) => n.startsWith('.klp.sym.')))].sort();
const parseKlp = (n) => {
  const m = n.match(/^\.klp\.sym\.([^.]+)\.(.*),(\d+)$/);
  return m ? { objname: m[1], name: m[2], sympos: Number(m[3]) } : null;
};
const objnames = [...new Set(inSecs.filter(Boolean).map((s) => s.name)
  .filter((n) => n.startsWith('__klp_relocs.')).map((n) => n.slice('__klp_relocs.'.length)))].sort();

// Post-link's klp rela sections: symbol -> sections and counts.
const klpRela = outRelocs.filter((r) => r.name.startsWith('.klp.rela.'));
const perSym = new Map();
for (const r of klpRela) {
  for (const e of r.relas) {
    const s = perSym.get(e.sym) ?? { sections: new Set(), relas: 0, maxInOne: 0, per: new Map() };
    s.sections.add(r.name);
    s.relas++;
    s.per.set(r.name, (s.per.get(r.name) ?? 0) + 1);
    s.maxInOne = Math.max(s.maxInOne, s.per.get(r.name));
    perSym.set(e.sym, s);
  }
}

const tags = new Set();
const secNames = new Set(inSecs.filter(Boolean).map((s) => s.name));
const symNames = inSyms.map((s) => s.name);
if (klpRela.length) tags.add('klp-reloc');
if (objnames.some((o) => o !== 'vmlinux')) tags.add('module-objname');
if (objnames.length > 1) tags.add('several-objnames');
const patched = previous ? previous.patchedObjects : (args.patched ?? '').split(/\s+/).filter(Boolean)
  .map((f) => (f === 'vmlinux.o' ? 'vmlinux' : f.split('/').pop().replace(/\.o$/, '').replace(/-/g, '_')));
if (patched.some((o) => o !== 'vmlinux')) tags.add('patches-module');
if (new Set(patched).size > 1) tags.add('multi-object');
if (klpSyms.some((n) => parseKlp(n)?.sympos > 0)) tags.add('sympos>0');
for (const [, s] of perSym) {
  if (s.sections.size > 1) tags.add('shared-symbol-across-sections');
  if (s.maxInOne > 1) tags.add('shared-symbol-same-section');
}
for (const n of klpSyms) {
  const sym = inSyms.find((s) => s.name === n);
  if (sym?.type === 'FUNC') tags.add('klp-reloc-to-function');
  if (sym?.type === 'OBJECT') tags.add('klp-reloc-to-object');
}
if (klpRela.some((r) => !/^\.klp\.rela\.[^.]+\.\.text/.test(r.name))) tags.add('klp-reloc-in-data');
const clone = (re, tag) => { if (symNames.some((n) => re.test(n)) || klpSyms.some((n) => re.test(n))) tags.add(tag); };
clone(/\.cold(\.|$|,)/, 'cold-clone');
clone(/\.constprop\./, 'constprop-clone');
clone(/\.isra\./, 'isra-clone');
clone(/\.part\./, 'part-clone');
if ([...secNames].some((n) => n.startsWith('.text.unlikely.'))) tags.add('text-unlikely');
if ([...secNames].some((n) => n.startsWith('.rodata.str') || n.startsWith('.rodata.') && n.includes('.str'))) tags.add('string-literals');
const special = { '__bug_table': 'bug-table', '__jump_table': 'jump-label', '.static_call_sites': 'static-call',
  '.altinstructions': 'alternatives', '__ex_table': 'exception-table', '.data..once': 'data-once',
  '__tracepoints_ptrs': 'tracepoint', '.retpoline_sites': 'retpoline-sites', '.return_sites': 'return-sites',
  '.call_sites': 'call-sites', '__patchable_function_entries': 'patchable-function-entries' };
for (const [sec, tag] of Object.entries(special)) if (secNames.has(sec)) tags.add(tag);

// What the patched code references (relocations from the module's own boilerplate left out: init.c,
// .modinfo, __mcount_loc, ORC, …): normal relocations to undefined (exported) symbols, and where
// each referenced symbol lives in the kernel's objects before linking (klp-build's 1-orig objects:
// vmlinux.o and the modules' .o, where -fdata-sections keeps .data..percpu, .rodata.*, .bss.* apart).
const undef = new Set(inSyms.filter((s) => s.ndx === 'UND' && s.name && !s.name.startsWith('.klp.')).map((s) => s.name));
const skipSource = /^\.rela(\.init\.|\.exit\.|\.gnu\.linkonce|__mcount_loc|\.orc_|\.ibt_endbr_seal|__klp_relocs|\.modinfo|\.note)/;
const used = new Set();
for (const r of inRelocs) {
  if (skipSource.test(r.name)) continue;
  for (const e of r.relas) {
    used.add(e.sym);
    if (!undef.has(e.sym) || e.sym === '__fentry__' || /^__x86_(return|indirect)_thunk/.test(e.sym)) continue;
    tags.add(e.type === 'R_X86_64_PLT32' ? 'exported-call' : 'exported-data-reference');
  }
}
const refs = [...[...undef].filter((n) => used.has(n)).map((n) => ({ objname: 'vmlinux', name: n })),
  ...klpSyms.map(parseKlp).filter(Boolean)];
for (const r of refs) {
  const home = (r.objname === 'vmlinux' ? homes.vmlinux : moduleHomes(r.objname)).get(r.name) ?? '';
  if (home.startsWith('.data..percpu')) tags.add('percpu');
  else if (home.startsWith('.rodata')) tags.add('rodata-reference');
  else if (home.startsWith('.data..ro_after_init')) tags.add('ro-after-init-reference');
  else if (/^\.(data|bss)/.test(home) && !home.startsWith('.data..once')) tags.add('data-reference');
}
const inits = /^(__this_module|init_module|cleanup_module|livepatch_mod_init|livepatch_mod_exit|__UNIQUE_ID.*|__initcall.*|__exitcall.*)$/;
for (const s of inSyms) {
  if (s.bind !== 'GLOBAL' || s.ndx === 'UND' || !/^\d+$/.test(s.ndx) || inits.test(s.name)) continue;
  if (!homes.vmlinux.has(s.name) && !s.name.startsWith('.klp') && !/^(livepatch_|__)/.test(s.name)) tags.add(s.type === 'FUNC' ? 'new-global-function' : 'new-global-data');
}
// Static locals (gcc names them <name>.<n>): klp diff copies the ones it never correlates
// (WARN/printk_once and ratelimit state, __func__, lock keys, switch tables: is_uncorrelated_static_local
// in tools/objtool/klp-diff.c) into the patch module and references the others in place.
const uncorrelated = /^(__already_done|__func__|__key|__warned|_entry|_entry_ptr|_rs|descriptor|CSWTCH)\.\d+$/;
if (inSyms.some((s) => s.type === 'OBJECT' && s.bind === 'LOCAL' && uncorrelated.test(s.name))) tags.add('uncorrelated-static-local');
if (klpSyms.some((n) => /\.\d+$/.test(parseKlp(n)?.name ?? '') && parseKlp(n) && inSyms.find((s) => s.name === n)?.type === 'OBJECT')) tags.add('static-local');
const big = (a) => (a < 0n ? -a : a) >= 1n << 31n;
if ([...inRelocs, ...klpRela].some((r) => r.relas.some((e) => big(e.addend)))) tags.add('addend>=2^31');

// Patched functions with sympos > 0 (klp_func_ext.sympos in .init.klp_funcs), from klp diff's log.
let diffLog = '';
try { diffLog = readFileSync(args['diff-log'], 'utf8'); } catch { /* none */ }
const changed = previous ? previous.changedFunctions : [...diffLog.matchAll(/changed function: (\S+)/g)].map((m) => m[1]);
const added = previous ? previous.newFunctions ?? [] : [...diffLog.matchAll(/new function: (\S+)/g)].map((m) => m[1]);

// klp_func_ext entries (.init.klp_funcs: old_name, new_func, sympos; 24 bytes each): the
// livepatch sympos of each patched function.
function sectionBytes(file, name) {
  let hex = '';
  try {
    for (const line of readelf('-x', name, file).split('\n')) {
      const m = line.match(/^\s+0x[0-9a-f]+ ((?:[0-9a-f]{2,8} ){1,4})/);
      if (m) hex += m[1].replace(/ /g, '');
    }
  } catch { /* no such section */ }
  return Buffer.from(hex, 'hex');
}
const funcsBytes = sectionBytes(input, '.init.klp_funcs');
const funcsRelas = inRelocs.find((r) => r.name === '.rela.init.klp_funcs')?.relas ?? [];
const patchedFunctions = [];
for (let off = 0; off + 24 <= funcsBytes.length; off += 24) {
  const fn = funcsRelas.find((e) => BigInt('0x' + e.offset) === BigInt(off + 8));
  const sympos = Number(funcsBytes.readBigUInt64LE(off + 16));
  patchedFunctions.push({ name: fn?.sym ?? '?', sympos });
  if (sympos > 0) tags.add('patched-function-sympos>0');
}

const maxSections = Math.max(0, ...[...perSym.values()].map((s) => s.sections.size));
const stats = {
  klpSymbols: klpSyms.length,
  klpRelaSections: klpRela.length,
  klpRelas: klpRela.reduce((n, r) => n + r.relas.length, 0),
  maxRelaSectionsPerSymbol: maxSections,
  symbolsInSeveralSections: [...perSym.values()].filter((s) => s.sections.size > 1).length,
  inputBytes: readFileSync(input).length,
};

let observe = previous?.observe ?? { checks: [] };
if (args.observe) observe = JSON.parse(readFileSync(args.observe, 'utf8'));

const objtoolJson = previous ? previous.objtool
  : (() => { try { return JSON.parse(readFileSync(join(args.objtool, '..', 'objtool.json'), 'utf8')); } catch { return {}; } })();
const order = ['klp-reloc', 'klp-reloc-to-function', 'klp-reloc-to-object', 'klp-reloc-in-data', 'sympos>0',
  'shared-symbol-same-section', 'shared-symbol-across-sections', 'module-objname', 'several-objnames',
  'patches-module', 'multi-object', 'patched-function-sympos>0'];
const exercises = [...tags].sort((a, b) => {
  const ia = order.indexOf(a), ib = order.indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
});
const j = (v) => JSON.stringify(v);
// observe: one line per key, one line per check.
function formatObserve(o) {
  const keys = Object.keys(o);
  const body = keys.map((k) => k === 'checks' && o.checks.length
    ? `    "checks": [\n${o.checks.map((c) => `      ${j(c).replace(/,"/g, ', "').replace(/":/g, '": ')}`).join(',\n')}\n    ]`
    : `    ${j(k)}: ${j(o[k]).replace(/","/g, '", "')}`);
  return `{\n${body.join(',\n')}\n  }`;
}
const lines = [
  `  "id": ${j(args.id)}`,
  `  "dialect": "post-link"`,
  `  "arch": "x86_64"`,
  `  "expect": ${j(args.expect)}`,
  `  "module": ${j(args.module)}`,
  `  "source": { "package": ${j(args.package)}, "version": ${j(args.version)}, "patch": "patch.diff" }`,
  `  "compiler": ${j(args.compiler)}`,
  `  "kernel": { "dir": "kernels/x86_64-7", "release": ${j(args.release)}, "vermagic": ${j(args.vermagic)} }`,
  `  "klpBuild": ${j(args['klp-build'])}`,
  `  "klpBuildSeconds": ${Number(args['klp-build-seconds'])}`,
  `  "objtool": { "command": "objtool klp post-link objtool.ko", "sourceVersion": ${j(objtoolJson.sourceVersion ?? args.version)}, "sha256": ${j(objtoolJson.sha256 ?? '')} }`,
  `  "objtoolMatchesKlpBuild": ${args.matches === 'true'}`,
  `  "patchedObjects": ${j([...new Set(patched)])}`,
  `  "changedFunctions": ${j(changed)}`,
  `  "patchedFunctions": ${j(patchedFunctions).replace(/,"/g, ', "').replace(/":/g, '": ').replace(/\},\{/g, '}, {')}`,
  ...(added.length ? [`  "newFunctions": ${j(added)}`] : []),
  `  "objnames": ${j(objnames)}`,
  `  "klpSymbols": ${j(klpSyms)}`,
  `  "stats": ${j(stats).replace(/,"/g, ', "').replace(/":/g, '": ').replace(/^\{/, '{ ').replace(/\}$/, ' }')}`,
  `  "exercises": ${j(exercises).replace(/","/g, '", "')}`,
  `  "observe": ${formatObserve(observe)}`,
];
process.stdout.write(`{\n${lines.join(',\n')}\n}\n`);
