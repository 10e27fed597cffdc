// The portal's pages as a new citizen reads them, in Chinese and in English (issue 9's findings):
// sign-in names each method and offers what helps; the card reader holds one card, named in the
// page's language; the consent screen says who is signed in, lists data sets with their fields and
// can be refused; the page, not the browser, says what is wrong with a form, also without
// JavaScript; a finished retrieval says so; the preview reads records as documents do; after the
// one download the page says when, and no button is left that could only fail.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { closeAfterAll } from '../../packages/hub/test/helpers/close-after-all.ts';
import { watchCsp } from '../../packages/hub/test/helpers/csp.ts';
import { findCitizen } from '../src/population/citizens.ts';
import { audit, choose, type PortalStack, signInWithCard, signInWithMobileId, startPortalStack } from './portal-stack.ts';
import { PORT_BANDS } from './ports.ts';

const ID = 'B287654326';
const PASSWORD = 'Another-Long-Passphrase-7';
const closeAfter = closeAfterAll();
let stack: PortalStack;
let signedIn: BrowserContext;

before(async () => {
  stack = await startPortalStack(PORT_BANDS.pages, closeAfter);
});

async function fresh(options: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stack.browser.browser.newContext(options);
  closeAfter(() => context.close());
  watchCsp(context);
  return { context, page: await context.newPage() };
}

const text = async (page: Page) => (await page.locator('main').textContent()) ?? '';

test('sign-in names each method, offers only what can help, and says which methods are enough', async () => {
  const { page } = await fresh();
  await page.goto(`${stack.base}/login?next=/catalogue&level=1`);
  assert.match(await text(page), /您選擇的資料可用以下方式驗證身分：自然人憑證（晶片卡）。/);
  assert.equal(await page.getByRole('link', { name: '以自然人憑證驗證' }).count(), 1);
  assert.equal(await page.locator('a[href^="/login/oidc/start"]').count(), 0, 'mobile ID cannot reach level 1, so it is not offered');
  assert.equal(await page.locator('form[data-passkey="login"]').count(), 0, 'no passkey was bound in this browser');
  await audit(page, 'login, level 1');
  await page.goto(`${stack.base}/login?next=/catalogue&level=2&lang=en`);
  const en = await text(page);
  assert.match(en, /can be opened after verifying with: Citizen digital certificate \(chip card\) or Mobile ID/i);
  assert.equal(await page.getByRole('link', { name: 'Verify with the citizen certificate' }).count(), 1);
  assert.equal(await page.getByRole('link', { name: 'Verify with mobile ID' }).count(), 1);
  assert.doesNotMatch(en, /Level \d/, 'no level numbers to decode');
  await audit(page, 'login, level 2 (en)');
});

test('the card reader holds one card, named in the page language', async () => {
  const { page } = await fresh();
  stack.signer.insert(ID);
  for (const [lang, pattern] of [
    ['zh-TW', /自然人憑證 卡號 [0-9A-F]{6}（B\*{6}326，有效至 \d{4}-\d{2}-\d{2}）/],
    ['en', /Citizen certificate no\. [0-9A-F]{6} \(B\*{6}326, valid until \d{4}-\d{2}-\d{2}\)/],
  ] as const) {
    await page.goto(`${stack.base}/login/x509?next=/history&lang=${lang}`);
    await page.locator('#cards input[name=card]').first().waitFor();
    assert.equal(await page.locator('#cards input[name=card]').count(), 1);
    assert.match((await page.locator('#cards label').textContent()) ?? '', pattern);
    await audit(page, `certificate login (${lang})`);
  }
  stack.signer.insert(undefined);
  await page.goto(`${stack.base}/login/x509?next=/history&lang=en`);
  await page.getByText('There is no card in the reader').waitFor();
});

test('the consent screen says who is signed in, lists data sets with their fields, and can be refused', async () => {
  const { context, page } = await fresh();
  signedIn = context;
  await choose(stack, page, ['household-personal', 'income-tax-certificate']);
  await signInWithMobileId(page, ID);
  await page.waitForURL(/\/login\?/);
  assert.equal(await page.locator('a[href^="/login/oidc/start"]').count(), 0, 'the method already used is not offered again');
  await signInWithCard(stack, page, ID);
  await page.waitForURL(/\/download\/consent/);
  const citizen = findCitizen(ID);
  assert.ok(citizen);
  assert.equal((await page.locator('#signed-in').textContent())?.trim(), `目前登入：${citizen.name}（B******326）`);
  assert.equal(await page.getByRole('columnheader', { name: '資料集' }).count(), 1, 'the column names data sets, not fields');
  const disclosure = page.locator('details.fields').first();
  await disclosure.locator('summary').click();
  assert.match((await disclosure.textContent()) ?? '', /姓名/, 'the fields of a data set can be read before agreeing');
  await audit(page, 'consent, fields open');
  await page.goto(`${page.url()}&lang=en`);
  assert.match((await page.locator('#signed-in').textContent()) ?? '', /^Signed in: .+ \(B\*{6}326\)$/);
  assert.equal(await page.getByRole('columnheader', { name: 'Data set' }).count(), 1);
  await audit(page, 'consent (en)');
  await page.getByRole('button', { name: 'I do not agree' }).click();
  await page.getByRole('heading', { name: 'You did not agree' }).waitFor();
  await page.goto(`${stack.base}/history?lang=zh-TW`);
  assert.match(await text(page), /拒絕同意/, 'the refusal is in the history');
  await audit(page, 'history after a refusal');
});

test('a short password gets the page’s own message in its language, also without JavaScript', async () => {
  const { page } = await fresh({ javaScriptEnabled: false });
  await page.context().addCookies(await signedIn.cookies());
  for (const [lang, message] of [
    ['zh-TW', '密碼至少需要 10 個字元。'],
    ['en', 'The password needs at least 10 characters.'],
  ] as const) {
    await page.goto(`${stack.base}/download/consent?datasets=household-personal&lang=${lang}`);
    assert.equal(await page.locator('form[novalidate]').count(), 1, 'the browser does not answer for the page');
    await page.locator('#password').fill('short');
    await page.locator('#password2').fill('short');
    await page.locator('form[novalidate] button[type=submit]').first().click();
    await page.getByRole('alert').filter({ hasText: message }).waitFor();
  }
});

test('finished: the page says so; the preview reads as documents do; after the download it says when, and offers no button', async () => {
  const page = await signedIn.newPage();
  await page.goto(`${stack.base}/download/consent?datasets=household-personal&datasets=income-tax-certificate&lang=en`);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#password2').fill(PASSWORD);
  await page.getByRole('button', { name: /I agree/ }).click();
  await page.waitForURL(/\/download\/retrievals\//);
  await page.getByRole('heading', { name: 'Your data is ready' }).waitFor({ timeout: 60_000 });
  const ready = await text(page);
  assert.match(ready, /Every agency has answered/);
  assert.doesNotMatch(ready, /are processing|you can stay on this page/i, 'no text left over from while it was running');
  await audit(page, 'progress, done (en)');
  const retrieval = page.url().split('?')[0] as string;

  await page.goto(`${retrieval}/preview?lang=en`);
  const en = await text(page);
  assert.ok((await page.locator('dl.record').count()) >= 2, 'single records as label/value lists');
  assert.match(en, /Tax year\s*20\d\d(?!,)/, 'the year in English, not grouped');
  await audit(page, 'preview (en)');
  await page.goto(`${retrieval}/preview?lang=zh-TW`);
  assert.match(await text(page), /所得年度\s*民國1\d\d年/);
  await page.getByRole('link', { name: '回到資料包頁面' }).click();
  await page.waitForURL(retrieval);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下載加密資料包' }).click()]);
  await download.path();
  // The page's script sees the download taken and draws the page again, saying when.
  await page.getByText(/您已於 .+ 下載此資料包/).waitFor({ timeout: 30_000 });
  assert.equal(await page.getByRole('link', { name: '下載加密資料包' }).count(), 0, 'no button left that could only fail');
  await audit(page, 'progress, downloaded');
});
