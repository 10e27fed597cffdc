// The portal's catalogue pages in a real browser, in both languages: content, keyboard use,
// language switch, no-JavaScript forms, and no serious accessibility violations (axe-core).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, seriousViolations } from '../helpers/browser.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { testRegistry } from '../helpers/registry.ts';

let t: TestHub;
let browser: Browser;
let closeBrowser: () => Promise<void>;

before(async () => {
  const registry = testRegistry([
    { id: 'agency-a', baseUrl: 'http://127.0.0.1:9', datasets: ['alpha', 'beta'] },
    { id: 'agency-b', baseUrl: 'http://127.0.0.1:9', datasets: ['gamma'], maintenance: [{ start: '02:00', end: '02:30' }] },
  ]);
  // A name with markup proves the pages escape what the registry says.
  (registry.agencies[1] as { name: { en: string } }).name.en = 'Agency <b>B</b>';
  t = await startTestHub({ registry });
  ({ browser, close: closeBrowser } = await launchBrowser());
});
after(async () => {
  await closeBrowser?.();
  await t.stop();
});

for (const lang of ['zh-TW', 'en'] as const) {
  for (const path of ['/', '/catalogue', '/catalogue/gamma', '/catalogue/no-such-thing']) {
    test(`${path} in ${lang}: lang attribute, landmarks, no serious axe violations`, async () => {
      const page = await browser.newPage();
      try {
        const response = await page.goto(`${t.url}${path}?lang=${lang}`);
        assert.equal(response?.status(), path.includes('no-such') ? 404 : 200);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        assert.equal(await page.locator('main').count(), 1);
        assert.equal(await page.locator('header nav').count(), 1);
        assert.deepEqual(await seriousViolations(page), []);
      } finally {
        await page.close();
      }
    });
  }
}

test('search and filters work without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await page.goto(`${t.url}/catalogue?lang=en`);
    assert.equal(await page.locator('ul.cards > li').count(), 3);
    await page.fill('#q', 'beta');
    await page.click('button[type=submit]');
    assert.equal(await page.locator('ul.cards > li').count(), 1);
    assert.match((await page.locator('ul.cards').textContent()) ?? '', /Data set beta/);
    await page.selectOption('#agency', 'agency-b');
    await page.fill('#q', '');
    await page.click('button[type=submit]');
    assert.equal(await page.locator('ul.cards > li').count(), 1);
    assert.match((await page.locator('ul.cards').textContent()) ?? '', /Agency <b>B<\/b>/, 'markup from the registry is shown as text');
    assert.equal(await page.locator('ul.cards b').count(), 0);
  } finally {
    await context.close();
  }
});

test('the language switch is visible and remembered', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${t.url}/catalogue`);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-TW');
    assert.match((await page.locator('h1').textContent()) ?? '', /資料目錄/);
    await page.click('a.lang');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.goto(`${t.url}/catalogue/alpha`);
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice is kept in a cookie');
  } finally {
    await context.close();
  }
});

test('keyboard: the skip link is first and moves focus to the main content', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${t.url}/catalogue?lang=en`);
    await page.keyboard.press('Tab');
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { className: string } | null } }).document.activeElement?.className),
      'skip',
    );
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash), '#main');
  } finally {
    await page.close();
  }
});

test('API clients still get problem+json for unknown paths', async () => {
  const res = await fetch(`${t.url}/nope`, { headers: { accept: 'application/json' } });
  assert.equal(res.status, 404);
  assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
});

test('a malformed language cookie is ignored, not a 500', async () => {
  for (const path of ['/', '/catalogue', '/nope']) {
    const res = await fetch(`${t.url}${path}`, { headers: { accept: 'text/html', cookie: 'omd_lang=%ZZ' } });
    assert.equal(res.status, path === '/nope' ? 404 : 200, path);
    assert.match(await res.text(), /<html lang="zh-TW">/);
  }
});
