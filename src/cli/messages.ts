import { KlpError } from '../klp/errors.js';

/** The one-line error the CLI prints: `<file>: <where>: <reason>`. */
export function describeKlpError(e: KlpError, moduleFile: string, symbolsFile: string | undefined): string {
  if (e.kind === 'bad-symbols-file' && symbolsFile !== undefined) {
    return `${symbolsFile}${e.where.line !== undefined ? `:${e.where.line}` : ''}: ${e.reason}`;
  }
  const where: string[] = [];
  if (e.where.section !== undefined) where.push(`section ${e.where.section}`);
  if (e.where.symbol !== undefined && !e.reason.includes(`'${e.where.symbol}'`)) where.push(`symbol '${e.where.symbol}'`);
  if (e.where.offset !== undefined) where.push(`offset 0x${e.where.offset.toString(16)}`);
  return `${moduleFile}: ${where.length ? `${where.join(', ')}: ` : ''}${e.reason}`;
}
