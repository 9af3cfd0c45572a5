// The conversion layer's promise: the plan (a pure function of the model and the dialect's
// inputs) and its application, one module per input dialect (dialects/), the kernel's names and
// rules (names, loader rules, load-time sections, the loader lint), symbols.klp read and written,
// and typed refusals (KlpError). It knows nothing of files or processes: bytes and models in,
// models and data out. Modules outside src/klp import this file only.
export * from './annotations.js';
export * from './apply.js';
export * from './dialects/detect.js';
export { isKlpRelocsSection, KLP_RELOCS_SECTION, klpRelocLayout, type KlpRelocEntry, R_NONE, readEntries as readKlpRelocEntries } from './dialects/post-link.js';
export * from './errors.js';
export * from './lint.js';
export * from './loader-rules.js';
export * from './messages.js';
export * from './names.js';
export * from './plan.js';
export * from './special-sections.js';
export * from './symbols-file.js';
export * from './symbols-gen.js';
export * from './test-objects.js';
