import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { PACKAGE_ROOT } from '../../src/config/paths.js';
import { writeReport } from '../../src/report/write.js';
import { loadFixture } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE = '</script><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

test('the fixture report renders in headless Chromium without errors or requests', {
  skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent: install it with apt-get install -y chromium`,
}, async () => {
  const input = loadFixture();
  input.examples!.contexts[0].dialogue.push({ role: 'User', text: HOSTILE });
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-report-browser-'));
  const profile = mkdtempSync(join(tmpdir(), 'crsaug-chromium-profile-'));
  const { html: file } = await writeReport(dir, input);
  const pageUrl = pathToFileURL(file).href;

  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1200, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('request', (r) => r.url() !== pageUrl && requests.push(r.url()));
    await page.goto(pageUrl, { waitUntil: 'load' });

    assert.equal(await page.textContent('h1'), 'fixture');
    const headings = await page.$$eval('h2', (hs) => hs.map((h) => h.textContent));
    assert.deepEqual(headings, [
      '1Run and providers',
      '2Dataset',
      '3Main results',
      '4Experiments',
      '5Per-context examples',
      '6Cost and time per stage',
      '7Resolved configuration',
    ]);
    // Six experiment charts, the main-results bars and the per-stage time bars.
    assert.equal(await page.locator('svg.chart').count(), 10);
    const legends = await page.$$eval('#chart-exp-threshold .legend text', (ts) =>
      ts.map((t) => t.textContent),
    );
    assert.deepEqual(legends, ['Two-stage (ours)', 'Stage 1 only']);
    const stage2 = input.results.rows.find((r) => r.model === 'bow-linear' && r.mode === 'stage2')!;
    const recall10 = `${(stage2.mean['recall@10'] * 100).toFixed(2)} ± ${(stage2.std['recall@10'] * 100).toFixed(2)}`;
    const cells = await page.$$eval('table.results td .value', (tds) => tds.map((t) => t.textContent));
    assert.ok(cells.includes(recall10), `expected a results cell "${recall10}"`);
    assert.match((await page.textContent('.callout.warn'))!, /builtin:tfidf-lsa/);

    // The hostile utterance is shown as text and ran nothing.
    const turns = await page.$$eval('.example .turn p', (ps) => ps.map((p) => p.textContent));
    assert.ok(turns.includes(HOSTILE));
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('img').count(), 0);

    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(requests, []);

    const artifacts = join(PACKAGE_ROOT, 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
