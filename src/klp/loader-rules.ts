// The module loader's side of the line: which undefined symbols it resolves itself and which must
// become livepatch symbols. One rule, shared by the plan's checkers, the lint and the harness.
import { bytesToLatin1, SHN_UNDEF, type Symbol } from '../elf/index.js';
import { KLP_ANNOTATED_SYM_PREFIX, KLP_SYM_PREFIX, KLP_TOMBSTONE_PREFIX } from './names.js';
import type { Dialect } from './plan.js';

/** Names symbols.klp marks exported (`__ksymtab_X` under any object). */
export function exportedNames(symbols: Uint8Array | undefined): Set<string> {
  const out = new Set<string>();
  if (!symbols) return out;
  for (const raw of bytesToLatin1(symbols).split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('__ksymtab_')) out.add(line.slice('__ksymtab_'.length));
  }
  return out;
}

/**
 * Whether the module loader is unable to resolve relocations to `sym`, so they must become klp
 * relocations: an undefined symbol that is not exported (symbols-list), or one named in the
 * annotation form. Post-link modules name their livepatch symbols `.klp.sym.` already, and the
 * code klp diff keeps refers to `.klp.tombstone.` symbols nothing resolves until post-link.
 */
export function loaderCannotResolve(sym: Symbol, index: number, inputs: { dialect: Dialect }, exported: ReadonlySet<string>): boolean {
  if (index === 0 || sym.shndx !== SHN_UNDEF) return false;
  if (inputs.dialect === 'annotation') return sym.name.startsWith(KLP_ANNOTATED_SYM_PREFIX);
  if (inputs.dialect === 'post-link') return sym.name.startsWith(KLP_SYM_PREFIX) || sym.name.startsWith(KLP_TOMBSTONE_PREFIX);
  return sym.name !== '.TOC.' && !exported.has(sym.name);
}
