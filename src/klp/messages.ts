import { KlpError } from './errors.js';

/**
 * Names in messages come from the input (symbol and section names are any bytes but NUL), so
 * control characters are escaped: the error stays one line whatever the file holds.
 */
export const oneLine = (text: string): string =>
  text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** The one-line error the CLI prints: `<file>: <where>: <reason>`. */
export function describeKlpError(e: KlpError, moduleFile: string, symbolsFile: string | undefined): string {
  return oneLine(describe(e, moduleFile, symbolsFile));
}

function describe(e: KlpError, moduleFile: string, symbolsFile: string | undefined): string {
  if (e.kind === 'bad-symbols-file' && symbolsFile !== undefined) {
    return `${symbolsFile}${e.where.line !== undefined ? `:${e.where.line}` : ''}: ${e.reason}`;
  }
  const where: string[] = [];
  if (e.where.section !== undefined) where.push(`section ${e.where.section}`);
  if (e.where.symbol !== undefined && !e.reason.includes(`'${e.where.symbol}'`)) where.push(`symbol '${e.where.symbol}'`);
  if (e.where.offset !== undefined) where.push(`offset 0x${e.where.offset.toString(16)}`);
  return `${moduleFile}: ${where.length ? `${where.join(', ')}: ` : ''}${e.reason}`;
}
