// The outbox pages in a real browser (Chromium via playwright-core): axe-core finds no
// serious or critical problems, the page has its language and landmarks, and a click opens a message.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSmtpNotifier, DEFAULT_MAIL_FROM } from '@openmydata/hub';
import type { Browser } from 'playwright-core';
import { launchBrowser, seriousViolations } from '../../../packages/hub/test/helpers/browser.ts';
import { type MailSink, startMailSink } from '../../src/mail/mail-sink.ts';

let sink: MailSink;
let browser: Browser;
let closeBrowser: () => Promise<void>;

before(async () => {
  sink = await startMailSink({ smtpPort: 0, httpPort: 0 });
  ({ browser, close: closeBrowser } = await launchBrowser());
});
after(async () => {
  await closeBrowser?.();
  await sink?.close();
});

const NOTICE = {
  to: 'citizen@example.test',
  lang: 'en',
  kind: 'download',
  at: new Date('2025-03-04T06:05:00Z'),
  datasets: [{ name: { 'zh-TW': '勞保投保資料', en: 'Labour insurance history' }, agency: { 'zh-TW': '勞動部勞工保險局', en: 'Bureau of Labor Insurance' } }],
  historyUrl: 'http://localhost:3000/history',
} as const;

async function sendOne(): Promise<void> {
  const notifier = createSmtpNotifier({ url: sink.smtpUrl, from: DEFAULT_MAIL_FROM });
  assert.equal(await notifier.notify({ ...NOTICE, datasets: [...NOTICE.datasets] }), true);
}

test('axe-core finds no serious problems on the empty outbox, the list and a message', async () => {
  sink.clear();
  // axe is injected as a script, which the pages' CSP rightly forbids.
  const context = await browser.newContext({ bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.goto(sink.outboxUrl);
    assert.deepEqual(await seriousViolations(page), [], 'empty outbox');
    await sendOne();
    await page.goto(sink.outboxUrl);
    assert.deepEqual(await seriousViolations(page), [], 'outbox with a message');
    const [message] = sink.messages();
    assert.ok(message);
    await page.goto(new URL(`/messages/${message.id}`, sink.outboxUrl).href);
    assert.deepEqual(await seriousViolations(page), [], 'message');
    await page.goto(new URL('/messages/00000000-0000-4000-8000-000000000000', sink.outboxUrl).href);
    assert.deepEqual(await seriousViolations(page), [], 'not found');
  } finally {
    await context.close();
  }
});

test('without JavaScript: language and landmarks, a click opens the message, the button empties the outbox', async () => {
  sink.clear();
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(sink.outboxUrl);
    assert.match((await page.locator('main').textContent()) ?? '', /No messages yet/);
    await sendOne();

    await page.goto(sink.outboxUrl);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hant-TW');
    assert.equal(await page.getByRole('main').count(), 1);
    assert.equal(await page.getByRole('banner').count(), 1);
    assert.equal(await page.getByRole('contentinfo').count(), 1);
    assert.equal(await page.getByRole('table').count(), 1);

    await page.getByRole('link', { name: /your data was downloaded/ }).click();
    await page.waitForURL(/\/messages\//);
    assert.match((await page.getByRole('heading', { level: 1 }).textContent()) ?? '', /your data was downloaded/);
    assert.match((await page.locator('pre').textContent()) ?? '', /Labour insurance history \(Bureau of Labor Insurance\)/);
    assert.equal(await page.getByRole('link', { name: 'http://localhost:3000/history' }).count(), 2);

    await page.getByRole('link', { name: /Back to the outbox/ }).click();
    await page.getByRole('button', { name: /Delete all messages/ }).click();
    await page.waitForURL(sink.outboxUrl);
    assert.match((await page.locator('main').textContent()) ?? '', /No messages yet/);
    assert.deepEqual(sink.messages(), []);
  } finally {
    await context.close();
  }
});
