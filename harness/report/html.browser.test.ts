// The HTML reports in a real browser: Debian's headless Chromium driven by playwright-core (never
// a downloaded browser). A run with every class, against one stand-in reference that acts per
// case, and a golden update that changes a golden: filtered, sorted, opened, read; no network
// request besides the file itself and no console error. Screenshots stay under dist/screenshots/.
// Without /usr/bin/chromium the test skips, saying why; CI sets KLP_REQUIRE_BROWSER=1, and there
// a missing browser is a failure.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeOutput } from '../../src/io/index.js';
import { main } from '../cli/program.js';
import { referenceModel } from '../references/index.js';
import { runModel } from '../references/model.js';
import { compileObject, ourOutput, standIn, SYMBOLS, SYMBOLS_MISSING, tempDir, withByte, writeCase } from '../testing/fixtures.js';
import type { HarnessReport } from '../differential/results.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(import.meta.dirname, '../../dist/screenshots');
const why = existsSync(CHROMIUM) ? undefined : `no ${CHROMIUM} (apt-get install chromium)`;
const required = process.env.KLP_REQUIRE_BROWSER === '1';
if (why && !required) console.warn(`HTML report browser test skipped: ${why}`);

describe.runIf(why !== undefined && required)('browser test prerequisites', () => {
  it('chromium is installed (KLP_REQUIRE_BROWSER=1)', () => {
    expect(why, "KLP_REQUIRE_BROWSER=1, but the HTML report's browser test cannot run").toBeUndefined();
  });
});

/** Runs the CLI in-process, its output captured. */
async function cli(...argv: string[]): Promise<number> {
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return await main(argv);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** A page of a file, with every request it makes and every console error or page error recorded. */
interface Opened {
  page: Page;
  requests: string[];
  errors: string[];
}

let context: BrowserContext;

async function open(file: string, hash = ''): Promise<Opened> {
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => void requests.push(r.url()));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  page.on('pageerror', (e) => void errors.push(e.message));
  await page.goto(`${pathToFileURL(file).href}${hash ? `#${hash}` : ''}`);
  await page.locator('#shown-count').waitFor();
  return { page, requests, errors };
}

async function screenshot(target: Page | ReturnType<Page['locator']>, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeOutput(join(SCREENSHOTS, name), await target.screenshot());
}

const visibleRows = (page: Page) => page.locator('#items tbody tr.item:visible');

/** e_entry's low byte (ELF64): shows in the header block as `entry 0x5a`, no deviation touches it. */
const ENTRY_OFFSET = 24;
const MISSING = 'klp-convert: Unable to find missing symbol: klp_helper';

// A browser page under a loaded CI machine can take seconds: generous timeouts, no timed assertion.
describe.skipIf(why !== undefined)('HTML reports in headless Chromium', { timeout: 60_000 }, () => {
  let dir: string;
  let runHtml: string;
  let goldenHtml: string;
  let checkHtml: string;

  beforeAll(async () => {
    dir = tempDir('klp-html-');
    const obj = compileObject(dir);
    const cases = join(dir, 'cases');
    // One case per class (two diverging, on two arches), told apart by the stand-in below.
    for (const [id, arch, flagSet] of [['match', 'x86_64', 'O2'], ['diverge-arm', 'aarch64', 'O2-ffs'], ['diverge-x86', 'x86_64', 'Os'], ['refReject', 'x86_64', 'O2'], ['refCrash', 'x86_64', 'O2'], ['refTimeout', 'x86_64', 'O2']]) {
      writeCase(cases, id!, obj, SYMBOLS, { arch, flagSet });
    }
    for (const id of ['bothReject', 'oursReject']) writeCase(cases, id, obj, SYMBOLS_MISSING, { expect: 'missing-symbol' });
    writeCase(cases, 'skipped', obj, null);
    writeCase(cases, 'caseError', obj, SYMBOLS);
    writeFileSync(join(cases, 'caseError', 'case.json'), '{ not json');
    // known: a deviation case of the corpus, the stand-in giving what the v7 model says v7 gives.
    const known = join(cases, 'known');
    cpSync(join(import.meta.dirname, '../../cases/deviations/x86_64-abs-symbol-listed'), known, { recursive: true });
    writeFileSync(join(known, 'case.json'), JSON.stringify({ id: 'known', arch: 'x86_64', dialect: 'symbols' }));
    const model = runModel(referenceModel('v7'), { dialect: 'symbols', input: readFileSync(join(known, 'input.ko')), symbols: readFileSync(join(known, 'symbols.klp')) });
    if (model.outcome.kind !== 'ok') throw new Error('the v7 model no longer converts the deviation case');
    writeFileSync(join(dir, 'known.out'), model.outcome.output);
    const ours = ourOutput(join(cases, 'match'));
    writeFileSync(join(dir, 'copy.out'), ours);
    writeFileSync(join(dir, 'corrupt.out'), withByte(ours, ENTRY_OFFSET, 0x5a));
    const reference = standIn(dir, 'every-class', [
      'case "$2" in',
      `  */diverge-*) cp '${dir}/corrupt.out' "$OUT";;`,
      `  */known/*) cp '${dir}/known.out' "$OUT";;`,
      `  */bothReject/*|*/refReject/*) echo '${MISSING}' >&2; exit 1;;`,
      '  */refCrash/*) kill -SEGV $$;;',
      '  */refTimeout/*) exec sleep 60;;',
      `  *) cp '${dir}/copy.out' "$OUT";;`,
      'esac',
    ].join('\n'));
    runHtml = join(dir, 'report.html');
    const json = join(dir, 'report.json');
    expect(await cli('run', '--reference', reference, '--reference-label', 'v7', '--dialect', 'symbols', '--timeout', '1', '--json', json, '--html', runHtml, cases)).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as HarnessReport;
    expect(Object.values(report.summary)).toEqual([1, 1, 1, 2, 1, 1, 1, 1, 1, 1]);

    // Goldens from a faithful reference, then regenerated from one that changes case `match`.
    const goldens = join(dir, 'golden');
    const faithful = standIn(dir, 'faithful', `cp '${dir}/copy.out' "$OUT"`);
    const changing = standIn(dir, 'changing', `case "$2" in */match/*) cp '${dir}/corrupt.out' "$OUT";; *) cp '${dir}/copy.out' "$OUT";; esac`);
    expect(await cli('golden', 'update', '--reference', faithful, '--reference-label', 'test', '--golden-dir', goldens, '--cases', cases, 'match', 'diverge-x86')).toBe(0);
    goldenHtml = join(dir, 'golden-update.html');
    expect(await cli('golden', 'update', '--reference', changing, '--reference-label', 'test', '--golden-dir', goldens, '--cases', cases, '--html', goldenHtml, 'match', 'diverge-x86', 'refCrash')).toBe(0);
    checkHtml = join(dir, 'golden-check.html');
    expect(await cli('golden', 'check', '--golden-dir', goldens, '--cases', cases, '--html', checkHtml, 'match', 'diverge-x86')).toBe(1);

    context = await chromium.launchPersistentContext(tempDir('klp-chromium-'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
    // Nothing may leave the machine: anything but a file is refused (and recorded by the pages).
    await context.route(/^(?!file:)/, (route) => route.abort());
  }, 120_000);

  afterAll(async () => {
    await context?.close();
  });

  it('opens with no network request besides the file and no console error; the summary has every class', async () => {
    const { page, requests, errors } = await open(runHtml);
    expect(await page.locator('.summary .chip').allTextContents()).toEqual(['1 match', '1 known', '1 bothReject', '2 diverge', '1 oursReject', '1 refReject', '1 refCrash', '1 refTimeout', '1 caseError', '1 skipped']);
    expect(await visibleRows(page).count()).toBe(11);
    await screenshot(page, 'report.png');
    expect(requests).toEqual([pathToFileURL(runHtml).href]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filters by class, keeps the filter in the URL hash, and restores it from a shared link', async () => {
    const { page, errors } = await open(runHtml);
    await page.locator('select[data-key=class]').selectOption('diverge');
    expect(await visibleRows(page).count()).toBe(2);
    expect(new URL(page.url()).hash).toBe('#class=diverge');
    await page.locator('select[data-key=arch]').selectOption('aarch64');
    expect(await visibleRows(page).count()).toBe(1);
    expect(await page.locator('#shown-count').textContent()).toBe('1 of 11 cases shown');
    const link = page.url();
    expect(new URL(link).hash).toBe('#class=diverge&arch=aarch64');
    await page.close();

    const shared = await open(runHtml, new URL(link).hash.slice(1));
    expect(await visibleRows(shared.page).count()).toBe(1);
    expect(await visibleRows(shared.page).getAttribute('data-id')).toBe('diverge-arm');
    expect(await shared.page.locator('select[data-key=class]').inputValue()).toBe('diverge');
    await shared.page.locator('.summary .chip[data-value=refCrash]').click();
    expect(await visibleRows(shared.page).allInnerTexts()).toEqual([]); // refCrash on aarch64: none
    await shared.page.locator('select[data-key=arch]').selectOption('');
    expect(await visibleRows(shared.page).getAttribute('data-id')).toBe('refCrash');
    expect([...errors, ...shared.errors]).toEqual([]);
    await shared.page.close();
  });

  it('sorts by a column, both ways', async () => {
    const { page } = await open(runHtml, 'class=diverge');
    await page.locator('th[data-key=flagSet] button').click();
    expect(await visibleRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual(['diverge-arm', 'diverge-x86']); // O2-ffs < Os
    await page.locator('th[data-key=flagSet] button').click();
    expect(await visibleRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual(['diverge-x86', 'diverge-arm']);
    expect(new URL(page.url()).hash).toBe('#class=diverge&sort=flagSet&desc=1');
    await page.close();
  });

  it('opens a diverging case: the changed field highlighted on each side, the offset and the reproduce command', async () => {
    const { page, errors } = await open(runHtml, 'class=diverge&arch=aarch64');
    await page.locator('tr.item[data-id=diverge-arm]').click();
    const panel = page.locator('tr.panel[data-id=diverge-arm]');
    await panel.waitFor();
    const header = panel.locator('table.sbs[data-block=header]');
    expect(await header.locator('tr.change td.left mark').allTextContents()).toEqual(['0x5a']);
    expect(await header.locator('tr.change td.right mark').allTextContents()).toEqual(['0x0']);
    expect(await header.locator('tr.change td.left').textContent()).toContain('entry 0x5a');
    expect(await panel.locator('table.kv').first().textContent()).toContain('diverge (fails the run)');
    expect(await panel.textContent()).toContain(`first differing file offset0x${ENTRY_OFFSET.toString(16)} (${ENTRY_OFFSET})`);
    expect(await panel.locator('.cmd code').textContent()).toMatch(/^npx klp-harness run --reference \S+\/every-class --reference-label v7 \S+\/cases\/diverge-arm$/);
    expect(new URL(page.url()).hash).toBe('#class=diverge&arch=aarch64&open=diverge-arm');
    await screenshot(panel, 'report-diverge.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows the reference's stderr and our message, and the deviation a known case used", async () => {
    const { page } = await open(runHtml, 'open=refReject');
    expect(await page.locator('tr.panel[data-id=refReject] pre').first().textContent()).toContain(MISSING);
    await page.locator('tr.item[data-id=oursReject]').click();
    const ours = page.locator('tr.panel[data-id=oursReject]');
    expect(await ours.locator('section.part-text', { hasText: 'Our message' }).locator('pre').textContent()).toContain('klp_helper');
    await page.locator('tr.item[data-id=known]').click();
    expect(await page.locator('tr.panel[data-id=known] table.kv').first().textContent()).toContain('deviation v7-reserved-index-undefined');
    await page.close();
  });

  it('golden update --html: a changed golden old beside new, with its provenance change', async () => {
    const { page, requests, errors } = await open(goldenHtml);
    // Another reference binary: every golden changes its provenance; only `match` its dump.
    expect(await page.locator('.summary .chip').allTextContents()).toEqual(['1 new', '2 changed', '0 unchanged']);
    expect(await visibleRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual(['diverge-x86', 'match', 'refCrash']);
    expect(await page.locator('tr.item[data-id=diverge-x86] td.c-what').textContent()).toBe('reference binary');
    expect(await page.locator('tr.item[data-id=match] td.c-what').textContent()).toBe('header, reference binary');
    await page.locator('tr.item[data-id=match]').click();
    const panel = page.locator('tr.panel[data-id=match]');
    const header = panel.locator('table.sbs[data-block=header]');
    expect(await header.locator('thead th').allTextContents()).toEqual(['golden before', 'golden after']);
    expect(await header.locator('tr.change td.left mark').allTextContents()).toEqual(['0x0']);
    expect(await header.locator('tr.change td.right mark').allTextContents()).toEqual(['0x5a']);
    const provenance = await panel.locator('table.kv tr', { hasText: 'reference sha256' }).textContent();
    expect(provenance).toMatch(/^reference sha256[0-9a-f]{64} → [0-9a-f]{64}$/);
    expect(await panel.locator('table.sbs[data-block=provenance] tr.change').count()).toBeGreaterThan(0);
    await screenshot(panel, 'golden-update.png');
    expect(requests).toEqual([pathToFileURL(goldenHtml).href]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('golden check --html: the failing golden beside ours', async () => {
    const { page, errors } = await open(checkHtml, 'open=match');
    expect(await visibleRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual(['match']);
    const header = page.locator('tr.panel[data-id=match] table.sbs[data-block=header]');
    expect(await header.locator('thead th').allTextContents()).toEqual(['golden', 'ours']);
    expect(await header.locator('tr.change td.left mark').allTextContents()).toEqual(['0x5a']);
    expect(await page.locator('tr.panel[data-id=match] .cmd code').textContent()).toMatch(/^npx klp-harness golden check --golden-dir \S+ --cases \S+ match$/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
