// The library: `convert` (bytes in, bytes out, no file or process touched) and its typed refusal.
// The layers below have doors of their own for tools that need more: src/elf/index.ts (the ELF
// model), src/klp/index.ts (plans, dialects, the kernel's rules), src/io/index.ts (files).
export { convert } from './convert.js';
export type { ConvertOptions, ConvertResult, ConversionReport, ConvertedSymbol } from './convert.js';
export { KlpError } from './klp/index.js';
export type { Dialect, KlpErrorKind } from './klp/index.js';
