export { convert } from './convert.js';
export type { ConvertOptions, ConvertResult, ConversionReport, ConvertedSymbol } from './convert.js';
export { KlpError } from './klp/errors.js';
export type { KlpErrorKind } from './klp/errors.js';
export type { Dialect } from './klp/plan.js';
