// Test fixtures: tiny livepatch-like objects compiled with the host gcc, case directories, and
// stand-in "references" (shell scripts) that copy, corrupt, crash, hang or fail.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convert } from '../../src/index.js';

export const SOURCE = `extern int klp_shared; extern int klp_helper(void);
int patched_a(void) { return klp_shared + klp_helper(); }
int patched_b(void) { return klp_shared * 2; }
`;
export const SYMBOLS = 'klp-convert-symbol-data.0.1\n*vmlinux\nklp_shared\nklp_helper\n';
/** The same object, but symbols.klp does not list klp_helper: a missing-symbol refusal. */
export const SYMBOLS_MISSING = 'klp-convert-symbol-data.0.1\n*vmlinux\nklp_shared\n';

export function tempDir(prefix = 'klp-harness-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A relocatable object from SOURCE: klp_shared is used from two sections (-ffunction-sections). */
export function compileObject(dir: string): string {
  const src = join(dir, 'src.c');
  const obj = join(dir, 'src.o');
  writeFileSync(src, SOURCE);
  execFileSync('gcc', ['-c', '-O2', '-ffunction-sections', '-fno-pic', '-fno-asynchronous-unwind-tables', '-o', obj, src]);
  return obj;
}

export function writeCase(root: string, id: string, object: string, symbols: string | null, meta: Record<string, unknown> = {}): string {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'input.ko'), readFileSync(object));
  if (symbols !== null) writeFileSync(join(dir, 'symbols.klp'), symbols);
  writeFileSync(join(dir, 'case.json'), JSON.stringify({ id, arch: 'x86_64', compiler: 'gcc', dialect: symbols === null ? 'annotation' : 'symbols', ...meta }));
  return dir;
}

/** Our converter's output for a case directory, as a stand-in reference would write it. */
export function ourOutput(caseDir: string): Uint8Array {
  return convert(readFileSync(join(caseDir, 'input.ko')), { symbols: readFileSync(join(caseDir, 'symbols.klp')) }).output;
}

/**
 * A stand-in reference following the real argument convention: symbols-list
 * `ref symbols.klp input.ko output.ko`, annotation `ref input.ko output.ko`; the output is the
 * last argument. `body` is shell, with $OUT the output path.
 */
export function standIn(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nfor a in "$@"; do OUT="$a"; done\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** A stand-in that writes `bytes` as its output. */
export function standInWriting(dir: string, name: string, bytes: Uint8Array): string {
  const data = join(dir, `${name}.out`);
  writeFileSync(data, bytes);
  return standIn(dir, name, `cp '${data}' "$OUT"`);
}

/** A copy of `bytes` with one byte changed at `offset`. */
export function withByte(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[offset] = value;
  return copy;
}

/** A minimal XML well-formedness check: balanced, properly nested tags; entities escaped. */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|&(?!(amp|lt|gt|quot|apos);)|<(?![A-Za-z/])/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = token.exec(body))) {
    const between = body.slice(last, m.index);
    if (between.includes('<') || between.includes('>')) problems.push(`stray angle bracket near ${m.index}`);
    last = token.lastIndex;
    if (m[0].startsWith('&')) {
      problems.push(`unescaped & at ${m.index}`);
      continue;
    }
    if (m[0] === '<') {
      problems.push(`bad tag at ${m.index}`);
      continue;
    }
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) {
      if (stack.pop() !== name) problems.push(`</${name}> does not close the open tag`);
    } else stack.push(name!);
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}
