#!/usr/bin/env node
// Scans every target object under the given O= dirs for what is rare in kernel objects:
// relocation addends with |addend| >= 2^31, COMDAT groups (SHT_GROUP), __crc_ symbols, and
// several same-named __patchable_function_entries sections. One line per object that has any.
//   node scan-objects.mjs <machine> <dir>...      machine: e_machine number of the target
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { readElf } = await import(join(repo, 'dist/src/elf/read.js'));
const { decodeSymbols, symtabIndex } = await import(join(repo, 'dist/src/elf/symbols.js'));
const { decodeRelocs, isRelocSection } = await import(join(repo, 'dist/src/elf/relocs.js'));

const [machine, ...dirs] = process.argv.slice(2);
let scanned = 0;
const hits = [];
for (const root of dirs) {
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (d === root && (e.name === 'scripts' || e.name === 'tools' || e.name === 'usr')) continue;
        walk(p);
      } else if (e.name.endsWith('.o') && !e.name.endsWith('.mod.o')) {
        const bytes = new Uint8Array(readFileSync(p));
        if (bytes.length < 64 || bytes[0] !== 0x7f || (bytes[5] === 2 ? bytes[17] : bytes[16]) !== 1) continue; // ET_REL only
        let elf;
        try {
          elf = readElf(bytes);
        } catch {
          continue;
        }
        if (elf.header.machine !== Number(machine)) continue;
        scanned++;
        const what = [];
        let wide = 0;
        const ex = [];
        const st = symtabIndex(elf);
        const syms = st >= 0 ? decodeSymbols(elf, st) : [];
        for (const sec of elf.sections) {
          if (!isRelocSection(sec)) continue;
          for (const r of decodeRelocs(elf.header.ident, sec)) {
            if (r.addend >= 2n ** 31n || r.addend < -(2n ** 31n)) {
              wide++;
              if (ex.length < 3) ex.push(`${sec.name}: ${syms[r.symbol]?.name || r.symbol}${r.addend < 0n ? '-' : '+'}0x${(r.addend < 0n ? -r.addend : r.addend).toString(16)} (type ${r.type})`);
            }
          }
        }
        if (wide) what.push(`wide-addend ${wide} [${ex.join('; ')}]`);
        const groups = elf.sections.filter((s) => s.type === 17).length;
        if (groups) what.push(`groups ${groups}`);
        const crc = syms.filter((s) => s.name.startsWith('__crc_')).length;
        if (crc) what.push(`crc ${crc}`);
        const pfe = elf.sections.filter((s) => s.name === '__patchable_function_entries').length;
        if (pfe > 1) what.push(`patchable-function-entries ${pfe}`);
        if (what.length) hits.push(`${relative(root, p)}: ${what.join(', ')}`);
      }
    }
  };
  walk(resolve(root));
}
console.log(`scanned ${scanned} objects; ${hits.length} with any of: wide addend, group, __crc_, several __patchable_function_entries`);
for (const h of hits) console.log(`  ${h}`);
