import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../src/config/paths.js';
import { buildSmallRun, call, removeLater, type Server, type SmallRun, startServer } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is absent: install it with apt-get install -y chromium`;
/** UPDATE_SCREENSHOTS=1 also writes the README's screenshots into docs/img. */
const SCREENSHOT_DIRS = [
  join(PACKAGE_ROOT, 'test-artifacts'),
  ...(process.env.UPDATE_SCREENSHOTS ? [join(PACKAGE_ROOT, 'docs', 'img')] : []),
];
const TURN = 'Hi! I loved John Wick and anything with Keanu Reeves. Some action please';

let run: SmallRun;
let server: Server;
let judgmentsDir: string;

before(async () => {
  if (skip) return;
  run = await buildSmallRun();
  removeLater(run.root);
  judgmentsDir = join(run.root, 'judgments');
  server = await startServer({ runsDir: run.runsDir, judgmentsDir });
});
after(() => server?.close());

async function withBrowser(
  fn: (page: Page, origin: string) => Promise<void>,
  url = server.url,
  /** Console errors that are the point of the test (Chromium logs every 401 it receives). */
  expected: RegExp[] = [],
): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'crsaug-chromium-profile-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && !expected.some((e) => e.test(m.text()))) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    // Works offline: every request goes to this server (no CDN, fonts or scripts from elsewhere).
    page.on(
      'request',
      (r) => !r.url().startsWith(url) && !r.url().startsWith('about:') && problems.push(r.url()),
    );
    await page.goto(`${url}/`, { waitUntil: 'load' });
    await fn(page, url);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  for (const dir of SCREENSHOT_DIRS) {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, name) });
  }
}

test('the web UI: chat a turn, compare the lists, relabel a pair, see the run report', { skip }, async () => {
  await withBrowser(async (page) => {
    assert.equal(await page.inputValue('#run-select'), 'small');
    await page.fill('#chat-input', TURN);
    await page.press('#chat-input', 'Enter');
    await page.waitForSelector('#list-right li');
    assert.equal(await page.textContent('.turn.user'), `You${TURN}`);
    const chips = await page.$$eval('#chat-entities .chip', (cs) => cs.map((c) => c.textContent));
    assert.deepEqual(chips, ['John Wick (2014)', 'Keanu Reeves', 'action']);
    const shown = async (list: string) =>
      page.$$eval(`#${list} li .name`, (names) => names.map((n) => n.textContent));
    const api = await call(`${server.url}/v1/recommend`, 'POST', {
      run: 'small',
      context: [TURN],
      compare: true,
      mode: 'stage2',
    });
    assert.deepEqual(
      await shown('list-left'),
      api.body.lists[0].items.map((i: { item: string }) => i.item),
    );
    assert.deepEqual(
      await shown('list-right'),
      api.body.lists[1].items.map((i: { item: string }) => i.item),
    );
    assert.match((await page.textContent('#list-left h3'))!, /Baseline/);
    assert.match((await page.textContent('#list-right h3'))!, /stage2/);
    await page.click('#list-right li:first-child summary');
    assert.match((await page.textContent('#list-right li:first-child .details'))!, /Genres: /);
    await screenshot(page, 'serve.png');

    // A recommender turn and a second user turn: the context grows in the dataset's turn order.
    await page.selectOption('#chat-role', 'recommender');
    await page.fill('#chat-input', 'Have you seen Speed (1994)?');
    await page.press('#chat-input', 'Enter');
    await page.fill('#chat-input', 'Yes, something newer please');
    await page.press('#chat-input', 'Enter');
    await page.locator('#chat-entities .chip').nth(3).waitFor();
    assert.equal(await page.locator('.turn').count(), 3);

    await page.click('[data-tab=explorer]');
    await page.waitForSelector('.context-card', { timeout: 60_000 });
    await page.selectOption('#labels-filter', 'teacher');
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('filter=teacher')),
      page.click('#labels-form button[type=submit]'),
    ]);
    await page.waitForSelector('.context-card');
    const card = page.locator('.context-card').first();
    const context = (await card.getAttribute('data-context'))!;
    const row = card.locator('tbody tr').first();
    const item = (await row.getAttribute('data-item'))!;
    await row.locator('.relabel-open').click();
    await card.locator('.relabel-score').selectOption('0');
    await card.locator('.relabel-reason').fill('a different genre from what they asked for');
    await card.locator('.relabel button[type=submit]').click();
    await card.locator(`tr[data-item="${item.replaceAll('"', '\\"')}"] td.human strong`).waitFor();
    assert.equal(
      await card.locator(`tr[data-item="${item.replaceAll('"', '\\"')}"] td.human strong`).textContent(),
      '0',
    );
    await screenshot(page, 'serve-explorer.png');

    const lines = readFileSync(join(judgmentsDir, 'inspired_train.human.jsonl'), 'utf8').trim().split('\n');
    const saved = JSON.parse(lines.at(-1)!);
    assert.equal(`${saved.dialog_id}#${saved.turn_id}`, context);
    assert.equal(saved.item, item);
    assert.equal(saved.score, 0);
    assert.equal(saved.reason, 'a different genre from what they asked for');
    assert.equal(saved.run, 'small');

    await page.click('[data-tab=runs]');
    await page.waitForSelector('table.results tbody tr');
    const modes = await page.$$eval('table.results tbody tr td:nth-child(2)', (tds) =>
      tds.map((t) => t.textContent),
    );
    const trained = Object.entries(run.outcome.results.results).flatMap(([model, byMode]) =>
      Object.keys(byMode).map((mode) => (model === 'popularity' ? 'popularity' : mode)),
    );
    assert.deepEqual(modes, trained);
    const frame = page.frameLocator('iframe.report');
    await frame.locator('h1').waitFor();
    assert.equal(await frame.locator('h1').textContent(), 'small run');
  });
});

test('behind a token the UI asks for it once and then works', { skip }, async () => {
  const token = 'ui-token-0123456789';
  const guarded = await startServer({ runsDir: run.runsDir, judgmentsDir, token });
  try {
    await withBrowser(
      async (page) => {
        await page.waitForSelector('#token-dialog[open]');
        await page.fill('#token-input', token);
        await page.click('#token-form button[type=submit]');
        await page.waitForSelector('#run-select option[value=small]', { state: 'attached' });
        await page.fill('#chat-input', TURN);
        await page.press('#chat-input', 'Enter');
        await page.waitForSelector('#list-right li');
        assert.equal(await page.locator('#list-left li').count(), 10);
      },
      guarded.url,
      [/status of 401/],
    );
  } finally {
    await guarded.close();
  }
});
