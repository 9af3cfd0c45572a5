/**
 * A malformed or unsupported ELF file. Carries where the problem is, so a one-line message can
 * say it: the file (filled in by whoever knows the path), a byte offset and/or a section.
 */
export class ElfFormatError extends Error {
  override readonly name = 'ElfFormatError';
  constructor(
    readonly reason: string,
    readonly where: { offset?: number; section?: string; index?: number } = {},
  ) {
    super(describe(reason, where));
  }
}

function describe(reason: string, where: { offset?: number; section?: string; index?: number }): string {
  const parts: string[] = [];
  if (where.section !== undefined) parts.push(`section ${where.section}`);
  if (where.index !== undefined) parts.push(`index ${where.index}`);
  if (where.offset !== undefined) parts.push(`offset 0x${where.offset.toString(16)}`);
  return parts.length ? `${parts.join(', ')}: ${reason}` : reason;
}
