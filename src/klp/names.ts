// The kernel's naming of livepatch sections and symbols (Documentation/livepatch/module-elf-format.rst).

import type { Dialect } from './plan.js';
/** The kernel reads objname as %55[^.] and the symbol name as %511[^,]. */
export const MODULE_NAME_LEN = 56;
export const KSYM_NAME_LEN = 512;

export const KLP_SYM_PREFIX = '.klp.sym.';
export const KLP_RELA_PREFIX = '.klp.rela.';
export const KLP_ANNOTATED_SYM_PREFIX = '.klp.sym.rela.';
export const MODULE_RELOCS_PREFIX = '.klp.module_relocs.';
/** What `objtool klp diff` renames a symbol to in the code it keeps: unresolved until post-link. */
export const KLP_TOMBSTONE_PREFIX = '.klp.tombstone.';

export const livepatchSymbolName = (objname: string, name: string, sympos: number): string =>
  `${KLP_SYM_PREFIX}${objname}.${name},${sympos}`;

/**
 * Name of the klp rela section for relocations of `base` that the livepatch core resolves
 * against `objname`. The two reference dialects spell it differently; both parse the same way
 * in the kernel, and each dialect follows its reference so outputs compare byte for byte.
 */
export function klpRelaSectionName(style: Dialect, objname: string, base: string): string {
  if (style !== 'annotation') return `${KLP_RELA_PREFIX}${objname}.${base}`;
  // The annotation reference runs a base without a leading dot (`__jump_table`) straight on, and
  // the kernel would then read the objname as `vmlinux__jump_table`: keep the separator.
  return base.startsWith('.') ? `${KLP_RELA_PREFIX}${objname}${base}` : `${KLP_RELA_PREFIX}${objname}.${base}`;
}

export interface AnnotatedSymbol {
  /** The patched object whose klp rela section receives the relocations. */
  lpObjname: string;
  /** The object that defines the symbol. */
  objname: string;
  name: string;
  sympos: number;
}

/** Parses `.klp.sym.rela.<lpobj>.<symobj>.<name>,<pos>`; returns a reason string when malformed. */
export function parseAnnotatedSymbol(full: string): AnnotatedSymbol | string {
  const rest = full.slice(KLP_ANNOTATED_SYM_PREFIX.length);
  const m = /^([^.]+)\.([^.]+)\.([^,]+),(\d+)$/.exec(rest);
  if (!m) return `expected .klp.sym.rela.<lpobj>.<objname>.<name>,<sympos>`;
  const [, lpObjname, objname, name, pos] = m as unknown as [string, string, string, string, string];
  const sympos = Number(pos);
  if (!Number.isSafeInteger(sympos)) return `sympos ${pos} is too large`;
  const bad = checkObjname(lpObjname) ?? checkObjname(objname) ?? checkSymbolName(name);
  if (bad) return bad;
  return { lpObjname, objname, name, sympos };
}

/** Why the kernel would not parse this objname, or undefined when it would. */
export function checkObjname(objname: string): string | undefined {
  if (objname.length === 0) return 'empty object name';
  if (objname.includes('.')) return `object name '${objname}' contains a dot`;
  if (objname.length >= MODULE_NAME_LEN) return `object name '${objname}' is longer than ${MODULE_NAME_LEN - 1} characters`;
  // A module name is printable; a NUL would end it early in the kernel's copy of the name.
  if (/[\x00-\x1f\x7f]/.test(objname)) return `object name '${objname}' contains a control character`;
  return undefined;
}

export function checkSymbolName(name: string): string | undefined {
  if (name.length === 0) return 'empty symbol name';
  if (name.includes(',')) return `symbol name '${name}' contains a comma`;
  if (name.length >= KSYM_NAME_LEN) return `symbol name '${name.slice(0, 40)}…' is longer than ${KSYM_NAME_LEN - 1} characters`;
  return undefined;
}

/** The parsed parts of `.klp.sym.<objname>.<name>,<sympos>`, as sscanf("%55[^.].%511[^,],%lu") reads it. */
export interface KlpSymbolName {
  objname: string;
  name: string;
  sympos: number;
}

/**
 * Parses a livepatch symbol name the way klp_resolve_symbols() does. sscanf's %55[^.] stops after
 * 55 characters and then needs the dot, so a longer objname fails to parse; likewise %511[^,].
 */
export function parseKlpSymbolName(full: string): KlpSymbolName | string {
  if (!full.startsWith(KLP_SYM_PREFIX)) return `does not start with '${KLP_SYM_PREFIX}'`;
  const m = /^([^.]+)\.([^,]+),(\d+)$/.exec(full.slice(KLP_SYM_PREFIX.length));
  if (!m) return `expected ${KLP_SYM_PREFIX}<objname>.<name>,<sympos>`;
  const [, objname, name, pos] = m as unknown as [string, string, string, string];
  if (objname.length > MODULE_NAME_LEN - 1) return `object name is ${objname.length} characters; the kernel reads at most ${MODULE_NAME_LEN - 1}`;
  if (name.length > KSYM_NAME_LEN - 1) return `symbol name is ${name.length} characters; the kernel reads at most ${KSYM_NAME_LEN - 1}`;
  const sympos = Number(pos);
  if (!Number.isSafeInteger(sympos)) return `sympos ${pos} is too large`;
  return { objname, name, sympos };
}

/** The objname of a klp rela section, as sscanf(".klp.rela.%55[^.]") reads it. */
export function parseKlpSectionName(full: string): string | { reason: string } {
  const m = /^([^.]*)/.exec(full.slice(KLP_RELA_PREFIX.length))!;
  const objname = m[1]!;
  if (objname.length === 0) return { reason: `expected ${KLP_RELA_PREFIX}<objname>…: the object name is empty` };
  // sscanf would stop at 55 characters and compare the truncated name: the section would never
  // match its object and its relocations would silently never be applied.
  if (objname.length > MODULE_NAME_LEN - 1) return { reason: `object name is ${objname.length} characters; the kernel reads only the first ${MODULE_NAME_LEN - 1}, so it never matches` };
  return objname;
}
