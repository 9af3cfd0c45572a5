// The relocatable-ELF layer's promise, and all of it: the model (ElfObject, Section, Symbol,
// Reloc), readElf and writeElf (libelf's file layout, decided once in layout.ts), the symbol,
// relocation and string-table codecs, edits that keep every index right, the builder of small
// objects, per-machine relocation names and the spec's constants. It knows nothing of livepatch.
// Modules outside src/elf import this file only; everything not re-exported here is a detail.
export * from './builder.js';
export * from './bytes.js';
export * from './constants.js';
export * from './edit.js';
export * from './errors.js';
export * from './layout.js';
export * from './machines.js';
export * from './model.js';
export * from './normalize.js';
export * from './read.js';
export * from './relocs.js';
export * from './sizes.js';
export * from './strings.js';
export * from './symbols.js';
export * from './write.js';
