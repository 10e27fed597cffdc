// Mode 2 in a real browser (Debian Chromium), in both languages, against the demo agencies and the
// demo counters: the person chooses a counter service, is sent to sign in at the level it needs,
// consents, watches the agencies answer and gets a code whose QR code and Code128 barcode, as the
// screen shows them, decode to the code; the print view shows the code alone. A clerk signs in with
// password and TOTP, types the code the way a USB scanner does (keys, then Enter), enters the
// confirmation code the person received by mail, reads the verified records, saves the PDF and
// closes the case. axe-core and the Content-Security-Policy on every page; then nothing personal in
// the database, the data directory or the logs. (Signing in the person is the login journey's
// subject, portal-journey.test.ts: here the session is made as a completed login leaves it.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseRegistry, seedRegistry } from '@openmydata/hub';
import type { Page } from 'playwright-core';
import { parseCounterRegistry } from '../../packages/hub/src/counter/counter-registry.ts';
import { applyCounterRegistry } from '../../packages/hub/src/counter/counter-repository.ts';
import { putStaffAccount } from '../../packages/hub/src/counter/staff-admin.ts';
import { totpCode } from '../../packages/hub/src/counter/staff-credentials.ts';
import { SESSION_COOKIE } from '../../packages/hub/src/identity/session/session-store.ts';
import { createSmtpNotifier } from '../../packages/hub/src/notify/index.ts';
import { launchBrowser, seriousViolations } from '../../packages/hub/test/helpers/browser.ts';
import { cspViolations, watchCsp } from '../../packages/hub/test/helpers/csp.ts';
import { startTestHub, type TestHub } from '../../packages/hub/test/helpers/hub.ts';
import { signedIn } from '../../packages/hub/test/helpers/portal-client.ts';
import { decodeCode128, decodeQr } from '../../packages/hub/test/counter/counter-helpers.ts';
import { startDemoAgencies } from '../src/agencies.ts';
import { registryWith } from '../src/catalogue.ts';
import { DEMO_COUNTERS, DEMO_STAFF } from '../src/counters.ts';
import { startMailSink } from '../src/mail/mail-sink.ts';
import { findCitizen, formatAddress } from '../src/population/citizens.ts';
import { filesUnder, findPersonalData } from './privacy-scan.ts';

let t: TestHub;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let mail: Awaited<ReturnType<typeof startMailSink>>;
let closers: Array<() => Promise<void>> = [];

const JOURNEYS = [
  { lang: 'zh-TW', nationalId: 'A123456789', email: 'wang.counter@example.test', service: 'taoyuan-low-income', office: 'taoyuan-social-affairs' },
  { lang: 'en', nationalId: 'B287654326', email: 'lin.counter@example.test', service: 'hualien-low-income', office: 'hualien-social-affairs' },
] as const;

const WORDS = {
  'zh-TW': {
    start: /準備「低收入戶申請」的資料/,
    email: '電子郵件（必填）',
    agree: /我同意並準備臨櫃資料/,
    ready: '您的臨櫃條碼',
    staff: '帳號',
    password: '密碼',
    totp: '驗證碼（6 位數）',
    signIn: '登入',
    code: '條碼號碼（8 碼）',
    confirmation: '確認碼（6 位數）',
    confirm: '確認並調閱',
    verdict: /機關簽章有效/,
    pdf: /儲存 PDF（個人戶籍資料）|儲存 PDF（全戶戶籍資料）/,
    done: '完成案件並刪除資料',
    closed: '案件已完成，資料已刪除。',
    redeemed: /臨櫃調閱您的資料，平台已刪除資料包/,
  },
  en: {
    start: /Prepare the data for “Low-income household application”/,
    email: 'E-mail (required)',
    agree: /I agree; prepare my data for the counter/,
    ready: 'Your counter barcode',
    staff: 'Account',
    password: 'Password',
    totp: 'Authenticator code (6 digits)',
    signIn: 'Sign in',
    code: 'Code (8 characters)',
    confirmation: 'Confirmation code (6 digits)',
    confirm: 'Confirm and open',
    verdict: /Agency signature valid/,
    pdf: /Save the PDF \(Household registration \(whole household\)\)/,
    done: 'Close the case and delete the data',
    closed: 'The case is closed and its data deleted.',
    redeemed: /opened your data at the counter on .+; the platform has deleted the package/,
  },
} as const;

before(async () => {
  mail = await startMailSink({ smtpPort: 0, httpPort: 0 });
  t = await startTestHub({
    notifier: createSmtpNotifier({ url: mail.smtpUrl, from: 'OpenMyData <no-reply@openmydata.invalid>' }),
    env: { BROKER_TIMEOUT_SECONDS: '10' },
  });
  const agencies = await startDemoAgencies({
    hub: { issuer: t.hub.config.publicUrl, jwksUrl: `${t.url}/.well-known/jwks.json` },
    portOf: () => 0,
    maintenance: () => [],
  });
  const urls = new Map(agencies.agencies.map((a) => [a.id, a.url]));
  await seedRegistry(
    t.hub.db,
    parseRegistry(
      registryWith(
        (a) => urls.get(a.id) as string,
        () => [],
      ),
    ),
  );
  t.hub.catalogue.invalidate();
  await applyCounterRegistry(t.hub.db, parseCounterRegistry(DEMO_COUNTERS), { exact: true });
  t.hub.counter.directory.invalidate();
  for (const s of DEMO_STAFF)
    await putStaffAccount(
      t.hub.db,
      t.hub.secret,
      { id: s.id, officeId: s.officeId, role: s.role, password: s.password, totpSecret: s.totpSecret },
      { update: false },
    );
  browser = await launchBrowser();
  closers = [browser.close, agencies.close, mail.close];
});

after(async () => {
  for (const close of closers) await close().catch(() => {});
  await t?.stop();
});

const audited: string[] = [];
async function audit(page: Page, label: string): Promise<void> {
  assert.deepEqual(await seriousViolations(page), [], `axe on ${label} (${page.url()})`);
  assert.deepEqual(cspViolations(page), [], `no Content-Security-Policy violation up to ${label}`);
  audited.push(label);
}

for (const journey of JOURNEYS) {
  const words = WORDS[journey.lang];
  let code = '';
  let codeUrl = '';

  test(`the person (${journey.lang}): counter service, sign-in, consent, progress, a code that scans off the screen, a print view`, async () => {
    const context = await browser.browser.newContext();
    watchCsp(context);
    const page = await context.newPage();
    await page.goto(`${t.url}/counters?lang=${journey.lang}`);
    await audit(page, `counters (${journey.lang})`);
    const start = page.locator(`a[href="/counters/services/${journey.service}/consent"]`);
    assert.match((await start.textContent()) ?? '', words.start);
    await start.click();
    await page.waitForURL(/\/login\?/);
    assert.match(page.url(), new RegExp(`next=%2Fcounters%2Fservices%2F${journey.service}%2Fconsent&level=2`), 'sent to sign in at level 2');
    // The login journey is portal-journey.test.ts; here the session is what a completed login leaves.
    const client = await signedIn(t.hub, t.url, journey.nationalId, 2);
    await context.addCookies([{ name: SESSION_COOKIE, value: client.cookie.slice(SESSION_COOKIE.length + 1), url: t.url }]);
    await page.goto(`${t.url}/counters/services/${journey.service}/consent?lang=${journey.lang}`);
    await audit(page, `counter consent (${journey.lang})`);
    const text = (await page.locator('main').textContent()) ?? '';
    for (const expected of journey.lang === 'en'
      ? ['Hualien', 'Low-income household application', 'Household registration (whole household)']
      : ['桃園市政府社會局', '低收入戶申請', '全戶戶籍資料', '內政部戶政司'])
      assert.ok(text.includes(expected), expected);
    await page.getByLabel(words.email).fill(journey.email);
    await page.getByRole('button', { name: words.agree }).click();
    await page.waitForURL(/\/counters\/codes\/[0-9a-f-]{36}/);
    codeUrl = page.url().split('?')[0] ?? '';
    await page.locator('.counter-code').waitFor({ timeout: 30_000 });
    await audit(page, `counter code (${journey.lang})`);
    assert.equal(await page.locator('h1').textContent(), words.ready);
    code = ((await page.locator('.code-text').textContent()) ?? '').replace(' ', '');
    assert.match(code, /^[0-9A-Z]{8}$/);
    await page.locator('img.qr').scrollIntoViewIfNeeded();
    assert.equal(decodeQr(await page.locator('img.qr').screenshot()), code, 'the QR code on the screen decodes to the code');
    assert.equal(decodeCode128(await page.locator('img.barcode').screenshot()), code, 'the barcode on the screen decodes to the code');
    const box = await page.locator('img.qr').boundingBox();
    assert.ok(box && box.width >= 200, `the QR code is large enough to scan (${box?.width} px)`);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('header.site').isVisible(), false, 'the print view leaves out the site header');
    assert.equal(await page.locator('form.inline').isVisible(), false, 'and the buttons');
    assert.equal(await page.locator('img.barcode').isVisible(), true);
    assert.equal(await page.locator('.code-text').isVisible(), true);
    await page.emulateMedia({ media: 'screen' });
    await context.close();
  });

  test(`the clerk (${journey.lang}): sign-in with TOTP, a scanner typing the code, the confirmation code, verified records, PDF, case closed`, async () => {
    const clerk = DEMO_STAFF.find((s) => s.officeId === journey.office && s.role === 'clerk');
    assert.ok(clerk);
    const context = await browser.browser.newContext({ acceptDownloads: true });
    watchCsp(context);
    const page = await context.newPage();
    await page.goto(`${t.url}/console?lang=${journey.lang}`);
    await page.waitForURL(/\/console\/sign-in/);
    await audit(page, `console sign-in (${journey.lang})`);
    await page.getByLabel(words.staff).fill(clerk.id);
    await page.getByLabel(words.password, { exact: true }).fill(clerk.password);
    await page.getByLabel(words.totp).fill(totpCode(clerk.totpSecret));
    await page.getByRole('button', { name: words.signIn, exact: true }).click();
    await page.waitForURL(/\/console$/);
    await audit(page, `console scan (${journey.lang})`);
    // A USB scanner is a keyboard: it types into the focused field and presses Enter.
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id),
      'code',
    );
    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
    await page.getByLabel(words.confirmation).waitFor();
    await audit(page, `console confirmation (${journey.lang})`);
    const message = mail.messages().find((m) => m.to.includes(journey.email) && /確認碼/.test(m.subject));
    const confirmation = message ? /確認碼：(\d{6})/.exec(message.text)?.[1] : undefined;
    assert.ok(confirmation, 'the person received a confirmation code by mail');
    await page.getByLabel(words.confirmation).fill(confirmation);
    await page.getByRole('button', { name: words.confirm }).click();
    await page.waitForURL(/\/console\/cases\/[0-9a-f-]{36}/);
    await audit(page, `console case (${journey.lang})`);
    assert.ok((await page.locator('.verdict.ok').count()) >= 1);
    assert.match((await page.locator('.verdict.ok').first().textContent()) ?? '', words.verdict);
    const citizen = findCitizen(journey.nationalId);
    assert.ok(citizen && ((await page.locator('main').textContent()) ?? '').includes(citizen.name), 'the records are shown');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: words.pdf }).first().click()]);
    const pdf = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of pdf) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).subarray(0, 5).toString(), '%PDF-', 'the agency’s PDF is saved');
    await page.getByRole('button', { name: words.done }).click();
    await page.waitForURL(/\/console\?notice=done/);
    assert.equal((await page.locator('p.notice.ok').textContent())?.trim(), words.closed);
    await audit(page, `console after the case (${journey.lang})`);
    const person = await browser.browser.newContext();
    const client = await signedIn(t.hub, t.url, journey.nationalId, 2);
    await person.addCookies([{ name: SESSION_COOKIE, value: client.cookie.slice(SESSION_COOKIE.length + 1), url: t.url }]);
    // A new session holds no retrieval key, yet the page says what happened.
    const personPage = await person.newPage();
    await personPage.goto(`${codeUrl}?lang=${journey.lang}`);
    assert.match((await personPage.locator('main').textContent()) ?? '', words.redeemed);
    await person.close();
    await context.close();
  });
}

test('every page was audited; nothing personal in the database, the data directory or the logs', async () => {
  assert.equal(audited.length, 16);
  const needles = JOURNEYS.flatMap((j) => {
    const citizen = findCitizen(j.nationalId);
    return [j.nationalId, j.email, citizen?.name ?? 'x', citizen ? formatAddress(citizen.address) : 'x'];
  });
  assert.deepEqual(findPersonalData(filesUnder(t.database.dataDir), needles), []);
  for (const needle of needles) assert.ok(!t.logs().includes(needle), 'the logs hold personal data');
  if (t.database.engine === 'postgres') {
    const { sql } = await import('kysely');
    const tables = (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(t.hub.db)).rows;
    for (const { name } of tables) {
      const dump = JSON.stringify((await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(t.hub.db)).rows);
      for (const needle of needles) assert.ok(!dump.includes(needle), `${name} holds personal data`);
    }
  }
});
