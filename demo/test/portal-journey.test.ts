// The citizen's whole journey in a real browser (Chromium, the system's or npm's): first use with two methods
// (mobile ID, then the citizen certificate via the local card signer), consent with a package
// password, live progress with a slow agency, preview, one-time download; 7-Zip opens the package
// and every agency signature verifies with the project's command; step-up on a later visit; a
// revoked certificate cannot sign in; axe-core on every page in both languages; then nothing
// personal in the database, ./var or the logs.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { PORT_BANDS } from './ports.ts';
import {
  audit as auditPage,
  choose as chooseAs,
  type PortalStack,
  signInWithCard as signInWithCardAs,
  signInWithMobileId as signInWithMobileIdAs,
  startPortalStack,
} from './portal-stack.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { watchCsp } from '../../packages/hub/test/helpers/csp.ts';
import type { TestHub } from '../../packages/hub/test/helpers/hub.ts';
import { REVOKED_DEMO_CITIZEN } from '../src/ca/index.ts';
import { findCitizen, formatAddress } from '../src/population/citizens.ts';
import { filesUnder, findPersonalData } from './privacy-scan.ts';
import { sevenZip } from '../../packages/hub/test/helpers/system-tools.ts';
import { closeAfterAll } from '../../packages/hub/test/helpers/close-after-all.ts';

const root = join(import.meta.dirname, '../..');
const ID = 'A123456789';
const PASSWORD = 'Correct-Horse-Battery-9';
let stack: PortalStack;
let t: TestHub;
let browser: PortalStack['browser'];
let mail: PortalStack['mail'];
const work = mkdtempSync(join(tmpdir(), 'omd-journey-'));
const audited: string[] = [];

// Each closer is registered the moment its server has started: a `before` that fails half-way
// still closes what it had started, and the file ends with the reason instead of hanging.
const closeAfter = closeAfterAll();
closeAfter(() => rmSync(work, { recursive: true, force: true }));

before(async () => {
  stack = await startPortalStack(PORT_BANDS.journey, closeAfter);
  ({ t, browser, mail } = stack);
});

/** Runs a project command without blocking this process: the agencies it calls live in this process. */
function runNode(args: string[]): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', ...args], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? Number((error as { code?: unknown }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

const audit = (page: Page, label: string) => auditPage(page, label, audited);
const signInWithMobileId = (page: Page) => signInWithMobileIdAs(page, ID);
const signInWithCard = (page: Page, nationalId: string) => signInWithCardAs(stack, page, nationalId, (p) => audit(p, 'certificate login'));
const choose = (page: Page, datasets: string[]) => chooseAs(stack, page, datasets, (p) => audit(p, 'catalogue'));

let firstContext: BrowserContext;
let downloadFile = '';

test('first use: two methods, consent, live progress, preview, download', async () => {
  firstContext = await browser.browser.newContext({ acceptDownloads: true });
  watchCsp(firstContext);
  const page = await firstContext.newPage();
  await choose(page, ['household-personal', 'income', 'income-tax-certificate']);
  assert.match(page.url(), /\/login\?/);
  await audit(page, 'login');
  await signInWithMobileId(page);
  await page.waitForURL(/\/login\?/);
  assert.match((await page.locator('main').textContent()) ?? '', /首次使用須以兩種不同方式驗證身分/);
  await audit(page, 'login, first use');
  await signInWithCard(page, ID);
  await page.waitForURL(/\/download\/consent/);
  await audit(page, 'consent');
  const consentText = (await page.locator('main').textContent()) ?? '';
  for (const expected of ['個人戶籍資料', '內政部戶政司', '財政部財政資訊中心', '您本人', '8 小時']) assert.ok(consentText.includes(expected), expected);
  await page.getByLabel('資料包密碼（至少 10 個字元）').fill('short');
  await page.getByLabel('再次輸入密碼').fill('short');
  await page.evaluate(() => {
    for (const el of (
      globalThis as unknown as { document: { querySelectorAll(s: string): Array<{ removeAttribute(a: string): void }> } }
    ).document.querySelectorAll('input'))
      el.removeAttribute('minlength');
  });
  await page.getByRole('button', { name: /我同意/ }).click();
  assert.match((await page.getByRole('alert').textContent()) ?? '', /至少需要 10 個字元/, 'the server refuses a short password too');
  await page.getByLabel('資料包密碼（至少 10 個字元）').fill(PASSWORD);
  await page.getByLabel('再次輸入密碼').fill(PASSWORD);
  await page.getByLabel('下載後通知我（電子郵件，選填）').fill('citizen@example.test');
  await page.getByRole('button', { name: /我同意/ }).click();
  await page.waitForURL(/\/download\/retrievals\//);
  // Read at once: the slow agency takes 4 s, and the audit below may take a while on a loaded machine.
  const states = await page.locator('#progress td.state').allTextContents();
  assert.ok(
    states.some((s) => s !== '完成'),
    `progress is shown while agencies work: ${states.join(', ')}`,
  );
  await audit(page, 'progress');
  await page.getByText('資料已備妥').first().waitFor({ timeout: 30_000 });
  await audit(page, 'progress, done');
  const progressUrl = page.url();
  await page.goto(`${progressUrl}?lang=en`);
  await audit(page, 'progress, done (en)');
  await page.goto(`${progressUrl}/preview?lang=en`);
  await audit(page, 'preview (en)');
  await page.goto(`${progressUrl}?lang=zh-TW`);
  await page.getByRole('link', { name: '預覽資料內容' }).click();
  const citizen = findCitizen(ID);
  const preview = (await page.locator('main').textContent()) ?? '';
  assert.match(preview, new RegExp(citizen?.name ?? 'x'), 'the preview shows the records');
  assert.equal(await page.locator('main section.card').count(), 3, 'one section per data set');
  assert.ok((await page.locator('main dl.record').count()) >= 1, 'a single record reads as a label/value list, not narrow columns');
  assert.match(preview, /民國1\d\d年/, 'the tax year as Taiwanese documents write it');
  assert.doesNotMatch(preview, /\b2,0\d\d\b/, 'no year printed like an amount');
  assert.equal(await page.getByRole('link', { name: '回到資料包頁面' }).count(), 1, 'a way back named for what it is');
  await audit(page, 'preview');
  await page.goBack();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下載加密資料包' }).click()]);
  downloadFile = join(work, 'package.zip');
  await download.saveAs(downloadFile);
  const link = await page.getByRole('link', { name: '下載加密資料包' }).getAttribute('href');
  const again = await page.request.get(`${t.url.replace('127.0.0.1', 'localhost')}${link}`);
  assert.equal(again.status(), 410, 'the link works once');
  assert.equal((await fetch(`${t.url}${link}`)).status, 404, "without the owner's session the link does not exist");
  const deadline = Date.now() + 10_000;
  while (mail.messages().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const [notice] = mail.messages();
  assert.ok(notice, 'an e-mail notice was sent after the download');
  assert.deepEqual(notice.to, ['citizen@example.test']);
  for (const secret of [ID, findCitizen(ID)?.name ?? 'x']) assert.ok(!JSON.stringify(notice).includes(secret), 'the notice carries no personal data');
});

test('7-Zip opens the package with the password, not without; every agency signature verifies', async () => {
  const out = join(work, 'out');
  const wrong = spawnSync(sevenZip(), ['x', '-y', '-pnot-the-password', `-o${join(work, 'wrong')}`, downloadFile], { encoding: 'utf8' });
  assert.notEqual(wrong.status, 0, 'a wrong password fails');
  const ok = spawnSync(sevenZip(), ['x', '-y', `-p${PASSWORD}`, `-o${out}`, downloadFile], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  // Inside: README.txt and contents.zip, which holds index.json and the data set folders.
  const inner = spawnSync(sevenZip(), ['x', '-y', `-o${out}`, join(out, 'contents.zip')], { encoding: 'utf8' });
  assert.equal(inner.status, 0, inner.stdout + inner.stderr);
  const packages = filesUnder(out).filter((f) => f.endsWith('package.zip'));
  assert.equal(packages.length, 3);
  for (const file of packages) {
    const verify = await runNode(['packages/hub/src/cli/verify-package.ts', file]);
    assert.equal(verify.status, 0, verify.output);
  }
  const whole = await runNode(['packages/hub/src/cli/verify-package.ts', downloadFile, '--password', PASSWORD]);
  assert.equal(whole.status, 0, whole.output);
  const tampered = await runNode(['packages/hub/src/cli/verify-package.ts', downloadFile, '--password', 'not-the-password']);
  assert.equal(tampered.status, 2, 'a wrong password is a usage error, said plainly');
  assert.match(tampered.output, /wrong password/);
  rmSync(out, { recursive: true, force: true });
});

test('the usage history shows what happened, with export and proofs', async () => {
  const page = await firstContext.newPage();
  await page.goto(`${t.url.replace('127.0.0.1', 'localhost')}/history`);
  const text = (await page.locator('main').textContent()) ?? '';
  for (const expected of ['身分驗證', '同意', '向機關請求資料', '產製資料包', '下載']) assert.ok(text.includes(expected), expected);
  await audit(page, 'history');
  const json = (await (await page.request.get(`${t.url.replace('127.0.0.1', 'localhost')}/api/v1/me/history`)).json()) as {
    entries: Array<{ audit_path: string[]; entry: { action: string } }>;
  };
  assert.ok(json.entries.length >= 8);
  assert.ok(json.entries.some((e) => e.entry.action === 'download'));
  writeFileSync(join(work, 'entry.json'), JSON.stringify(json.entries[0]));
  const proof = await runNode(['packages/hub/src/cli/ledger.ts', 'verify-proof', join(work, 'entry.json')]);
  assert.equal(proof.status, 0, proof.output);
  await page.goto(`${t.url.replace('127.0.0.1', 'localhost')}/history?lang=en`);
  await audit(page, 'history (en)');
  await page.close();
});

test('a passkey bound after a strong login signs the person in at level 2', async () => {
  const page = await firstContext.newPage();
  const cdp = await firstContext.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  const base = t.url.replace('127.0.0.1', 'localhost');
  await page.goto(`${base}/history?lang=zh-TW`);
  await page.getByRole('button', { name: '綁定此裝置的通行密鑰' }).click();
  await page.waitForURL(/passkey=registered/);
  assert.match((await page.locator('main').textContent()) ?? '', /已綁定通行密鑰/);
  assert.equal(await page.getByRole('button', { name: '移除' }).count(), 1);
  await page.getByRole('button', { name: '登出' }).click();
  await page.goto(`${base}/login?next=/history&level=2`);
  await page.locator('form[data-passkey="login"] button').click();
  await page.waitForURL(/\/history$/);
  assert.match((await page.locator('h1').textContent()) ?? '', /我的資料使用紀錄/);
  await page.close();
});

test('a later visit: one method is enough to be known, but a level 1 data set asks for step-up', async () => {
  const context = await browser.browser.newContext();
  watchCsp(context);
  const page = await context.newPage();
  const base = t.url.replace('127.0.0.1', 'localhost');
  await page.goto(`${base}/login?next=/history`);
  await signInWithMobileId(page);
  await page.waitForURL(/\/history$/);
  await choose(page, ['id-card-image']);
  await page.waitForURL(/\/login\?/);
  const stepUp = (await page.locator('main').textContent()) ?? '';
  assert.match(stepUp, /需要更高的驗證等級，請以自然人憑證（晶片卡）再驗證一次/, 'says which method is enough, not a level number');
  assert.equal(await page.locator('a[href^="/login/oidc/start"]').count(), 0, 'the method already used, and too weak, is not offered');
  assert.equal(await page.getByRole('link', { name: '以自然人憑證驗證' }).count(), 1, 'each method named by itself');
  await audit(page, 'login, step-up');
  await page.goto(`${page.url()}&lang=en`);
  assert.match((await page.locator('main').textContent()) ?? '', /needs a stronger verification/);
  await audit(page, 'login, step-up (en)');
  await page.goto(page.url().replace('lang=en', 'lang=zh-TW'));
  await signInWithCard(page, ID);
  await page.waitForURL(/\/download\/consent/);
  await page.goto(`${page.url()}&lang=en`);
  await audit(page, 'consent (en)');
  const cookie = (await context.cookies()).find((c) => c.name === 'omd_sid');
  assert.ok(cookie?.httpOnly, 'the session cookie is HttpOnly');
  assert.equal(cookie?.sameSite, 'Lax');
  await page.getByRole('button', { name: 'Sign out' }).click();
  assert.match((await page.locator('h1').textContent()) ?? '', /signed out/);
  await page.goto(`${t.url.replace('127.0.0.1', 'localhost')}/history`);
  assert.match(page.url(), /\/login\?/, 'signed out means signed out');
  await context.close();
});

test('a revoked certificate cannot sign in', async () => {
  const context = await browser.browser.newContext();
  watchCsp(context);
  const page = await context.newPage();
  await page.goto(`${t.url.replace('127.0.0.1', 'localhost')}/login?next=/history`);
  await signInWithCard(page, REVOKED_DEMO_CITIZEN);
  await page.getByRole('alert').waitFor();
  assert.match((await page.getByRole('alert').textContent()) ?? '', /廢止|revoked/i);
  await audit(page, 'login failed');
  // Hand-crafted posts get a readable refusal, never a 500.
  const base = t.url.replace('127.0.0.1', 'localhost');
  for (const chainPem of ['[{"toString":1}]', `${'['.repeat(5000)}${']'.repeat(5000)}`, 'not json', JSON.stringify(Array(50).fill('x'))]) {
    await page.goto(`${base}/login/x509?next=/history`);
    const csrf = await page.locator('input[name=_csrf]').getAttribute('value');
    const res = await page.request.post(`${base}/login/x509`, { form: { _csrf: csrf ?? '', chainPem, certificatePem: 'x', signature: 'y', next: '/history' } });
    assert.equal(res.status(), 401, chainPem.slice(0, 20));
  }
  await page.goto(`${base}/login/x509?next=/history&lang=en`);
  await page.locator('input[name=card]').first().waitFor();
  await audit(page, 'certificate login (en)');
  await page.goto(`${base}/login?next=/history&lang=en`);
  await audit(page, 'login (en)');
  await page.goto(`${base}/login?next=/history&lang=zh-TW`);
  const headers = (await page.request.get(`${base}/login?next=/history`)).headers();
  assert.match(headers['content-security-policy'] ?? '', /script-src 'self'.*frame-ancestors 'none'/);
  assert.equal(headers['x-frame-options'], 'DENY');
  await context.close();
});

test('nothing personal in the database, the data directory or the logs', async () => {
  await firstContext.close();
  const citizen = findCitizen(ID);
  assert.ok(citizen);
  const needles = [ID, citizen.name, formatAddress(citizen.address)];
  assert.deepEqual(findPersonalData(filesUnder(t.database.dataDir), needles), []);
  for (const needle of needles) assert.equal(t.logs().includes(needle), false, `logs hold ${needle}`);
  if (t.database.engine === 'postgres') {
    const { sql } = await import('kysely');
    const tables = (await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public'`.execute(t.hub.db)).rows.map(
      (r) => r.tablename,
    );
    for (const table of tables) {
      const rows = JSON.stringify((await sql`select * from ${sql.table(table)}`.execute(t.hub.db)).rows);
      for (const needle of needles) assert.equal(rows.includes(needle), false, `${table} holds ${needle}`);
    }
  }
  assert.ok(audited.length >= 10, `pages audited: ${audited.join(', ')}`);
});
