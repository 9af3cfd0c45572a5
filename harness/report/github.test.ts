// GitHub Actions output: workflow commands escaped by GitHub's rules, one per failing case, and a
// step summary appended, never replacing what earlier steps wrote.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticCase, syntheticReport } from '../testing/report-fixtures.js';
import { tempDir } from '../testing/fixtures.js';
import { code, errorAnnotation, escapeData, escapeProperty, githubRunOutputs, runAnnotations, runStepSummary, SUMMARY_ROWS } from './github.js';

describe('workflow commands', () => {
  it('escapes %, CR and LF in data, and also : and , in properties', () => {
    expect(escapeData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeProperty('v7: diverge a,b%\n')).toBe('v7%3A diverge a%2Cb%25%0A');
    expect(errorAnnotation('t: 1, 2', 'line 1\nline 2')).toBe('::error title=t%3A 1%2C 2::line 1%0Aline 2');
  });

  it('gives one ::error per failing case, naming the class and the reproduce command', () => {
    const report = syntheticReport([
      syntheticCase('ok', 'match'),
      syntheticCase('bad', 'diverge', { note: '.symtab differs: 50% of it' }),
      syntheticCase('same-kind', 'bothReject'),
      syntheticCase('crash', 'refCrash'),
    ]);
    const lines = runAnnotations(report);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('::error title=klp-harness v7%3A diverge bad::diverge: .symtab differs: 50%25 of it%0Areproduce: npx klp-harness run --reference /opt/ref/v7/klp-convert --reference-label v7 cases/compiled/bad');
    expect(lines[1]).toMatch(/^::error title=klp-harness v7%3A refCrash crash::/);
    for (const l of lines) expect(l.split('\n')).toHaveLength(1);
  });
});

describe('step summary', () => {
  it('has the class counts, at most 50 failing cases then a count, and the command to reproduce', () => {
    const cases = [syntheticCase('fine', 'match'), ...Array.from({ length: SUMMARY_ROWS + 7 }, (_, i) => syntheticCase(`bad-${String(i).padStart(2, '0')}`, 'diverge'))];
    const md = runStepSummary(syntheticReport(cases));
    expect(md).toContain('| match | known | bothReject | diverge | oursReject | refReject | refCrash | refTimeout | caseError | skipped |');
    expect(md).toContain(`| 1 | 0 | 0 | ${SUMMARY_ROWS + 7} | 0 | 0 | 0 | 0 | 0 | 0 |`);
    expect(md.match(/^\| `bad-\d\d` \|/gm)).toHaveLength(SUMMARY_ROWS);
    expect(md).toContain('… and 7 more failing');
    expect(md).toContain('`npx klp-harness run --reference /opt/ref/v7/klp-convert --reference-label v7 cases/compiled/bad-00`');
    expect(md).toContain('npx klp-harness run --reference /opt/ref/v7/klp-convert --reference-label v7 --dialect symbols cases\n');
  });

  it('keeps a table row one row: pipes, newlines and backticks in the data', () => {
    expect(code('a|b\nc')).toBe('`a\\|b c`');
    expect(code('x `y` z')).toBe('``x `y` z``');
    const md = runStepSummary(syntheticReport([syntheticCase('p', 'diverge', { note: 'a | b\nc *d*' })]));
    expect(md).toContain('| `p` | diverge | x86\\_64 | a \\| b c \\*d\\* |');
  });

  it('is appended to $GITHUB_STEP_SUMMARY only when GITHUB_ACTIONS=true', () => {
    const file = join(tempDir(), 'summary.md');
    writeFileSync(file, 'an earlier step\n');
    const report = syntheticReport([syntheticCase('bad', 'diverge')]);
    expect(githubRunOutputs(report, undefined, { GITHUB_STEP_SUMMARY: file })).toBe('');
    expect(readFileSync(file, 'utf8')).toBe('an earlier step\n');
    const out = githubRunOutputs(report, undefined, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file });
    expect(out).toMatch(/^::error title=[^\n]*\n$/);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('an earlier step\n## klp-harness run: v7 failed')).toBe(true);
  });
});
