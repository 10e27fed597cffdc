// Mode 3 in a real browser (Debian Chromium): the demo bank's page → the hub (sign-in with the
// mobile ID and the citizen certificate, the consent screen) → back at the bank, which shows the
// records it received, each agency signature's verdict and its pre-screening; the e-mail after the
// transfer; the scholarship refused on the consent screen, which the foundation's page says; the
// hub's list of services and the person's transfers. axe-core and the Content-Security-Policy on
// every page, both languages on the hub's; then nothing personal in the database, ./var or the logs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createOidcMethod, createSmtpNotifier, createX509Verifier, parseRegistry, seedRegistry, serviceProviderSchema, upsertProvider } from '@openmydata/hub';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, seriousViolations } from '../../packages/hub/test/helpers/browser.ts';
import { cspViolations, watchCsp } from '../../packages/hub/test/helpers/csp.ts';
import { startTestHub, type TestHub } from '../../packages/hub/test/helpers/hub.ts';
import { startDemoAgencies } from '../src/agencies.ts';
import { createDemoCa, type DemoCa } from '../src/ca/index.ts';
import { registryWith } from '../src/catalogue.ts';
import { startMockIdp } from '../src/idp/mock-idp.ts';
import { startMailSink } from '../src/mail/mail-sink.ts';
import { findCitizen, formatAddress } from '../src/population/citizens.ts';
import { BANK, registryEntry, SCHOLARSHIP, startDemoService } from '../src/services/index.ts';
import { startSigner } from '../src/signer/index.ts';
import { generateServiceKeys } from '@openmydata/service-sdk';
import { filesUnder, findPersonalData } from './privacy-scan.ts';
import { freePorts, PORT_BANDS } from './ports.ts';

const ID = 'A123456789';
const SECRET = 'service-journey-client-secret';
let t: TestHub;
let ca: DemoCa;
let base = '';
let bankUrl = '';
let scholarshipUrl = '';
let closers: Array<() => Promise<void>> = [];
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let mail: Awaited<ReturnType<typeof startMailSink>>;
let context: BrowserContext;
const serviceLogs: string[] = [];
const audited: string[] = [];

before(async () => {
  const port = await freePorts(PORT_BANDS.services);
  base = `http://localhost:${port}`;
  ca = await createDemoCa();
  const signer = await startSigner({ port: 0, hubOrigin: base, ca, inserted: ID });
  const idp = await startMockIdp({
    port: 0,
    clients: [{ client_id: 'openmydata-hub', client_secret: SECRET, redirect_uris: [`${base}/login/oidc/callback`] }],
  });
  const trust = ca.trustMaterial();
  mail = await startMailSink({ smtpPort: 0, httpPort: 0 });
  t = await startTestHub({
    notifier: createSmtpNotifier({ url: mail.smtpUrl, from: 'OpenMyData <no-reply@openmydata.invalid>' }),
    env: { HUB_PORT: String(port), HUB_PUBLIC_URL: base, BROKER_TIMEOUT_SECONDS: '10' },
    identity: {
      x509: {
        verifier: createX509Verifier({ trustAnchorsPem: [trust.rootCaPem], crls: () => [trust.issuingCrlDer, trust.rootCrlDer] }),
        signerUrl: signer.url,
      },
      oidc: createOidcMethod({ issuer: idp.issuer, clientId: 'openmydata-hub', clientSecret: SECRET, redirectUri: `${base}/login/oidc/callback` }),
    },
  });
  const agencies = await startDemoAgencies({ hub: { issuer: base, jwksUrl: `${base}/.well-known/jwks.json` }, portOf: () => 0, maintenance: () => [] });
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
  const services = [];
  for (const service of [BANK, SCHOLARSHIP]) {
    const running = await startDemoService({ service, keys: await generateServiceKeys(), hubUrl: base, port: 0, log: (line) => serviceLogs.push(line) });
    await upsertProvider(t.hub.db, serviceProviderSchema.parse(registryEntry(service, running.url)));
    services.push(running);
  }
  t.hub.services.directory.invalidate();
  [bankUrl, scholarshipUrl] = services.map((s) => s.url) as [string, string];
  browser = await launchBrowser();
  closers = [browser.close, ...services.map((s) => s.close), agencies.close, idp.close, signer.close, mail.close];
  context = await browser.browser.newContext();
  watchCsp(context);
});

after(async () => {
  await context?.close().catch(() => {});
  for (const close of closers) await close().catch(() => {});
  await t?.stop();
});

async function audit(page: Page, label: string): Promise<void> {
  assert.deepEqual(await seriousViolations(page), [], `axe on ${label} (${page.url()})`);
  assert.deepEqual(cspViolations(page), [], `no Content-Security-Policy violation up to ${label}`);
  audited.push(label);
}

async function signIn(page: Page): Promise<void> {
  await page.locator('a[href^="/login/oidc/start"]').click();
  const code = (await page.locator('p.code').textContent())?.trim() ?? '';
  await page.getByLabel('身分證統一編號').fill(ID);
  await page.getByLabel('App 顯示的 6 位數確認碼').fill(code);
  await page.getByRole('button', { name: /在 App 中確認並登入/ }).click();
  await page.waitForURL(/\/login\?/);
  await page.locator('a[href^="/login/x509"]').click();
  // The reader holds the person's one card; the page names it in its language.
  await page.getByLabel(/自然人憑證 卡號 [0-9A-F]{6}（/).check();
  await page.getByRole('button', { name: /簽章並登入|Sign and sign in/ }).click();
}

test('the bank: sign in and consent on the hub, back at the bank with verified records and a decision', async () => {
  const page = await context.newPage();
  await page.goto(bankUrl);
  await audit(page, 'bank start');
  await page.getByRole('link', { name: /使用 OpenMyData 提供我的資料/ }).click();
  await page.waitForURL(/\/login\?/);
  assert.match(new URL(page.url()).searchParams.get('next') ?? '', /^\/services\/consent\//, 'after sign-in the person comes back to the consent');
  await audit(page, 'hub login for a service');
  await signIn(page);
  await page.waitForURL(/\/services\/consent\//);
  await audit(page, 'service consent');
  const consent = (await page.locator('main').textContent()) ?? '';
  for (const expected of [
    '示範商業銀行',
    '信用貸款線上預審',
    '信用貸款申請之收入、就業與財力審核',
    '取得後保存 90 天',
    '個人所得資料',
    '勞保投保資料',
    '財產資料',
    '財政部財政資訊中心',
    '勞動部勞工保險局',
    'A1******89',
    '第2級',
  ])
    assert.ok(consent.includes(expected), `the consent screen shows ${expected}`);
  assert.equal(await page.getByRole('link', { name: /privacy/ }).count(), 1, 'the privacy policy is linked');
  await page.locator('details summary').first().click();
  assert.ok(await page.locator('ul.fields li').first().isVisible(), 'the fields can be seen');
  const consentUrl = page.url();
  await page.goto(`${consentUrl}?lang=en`);
  assert.match((await page.locator('h1').textContent()) ?? '', /Send your data to an online service/);
  await audit(page, 'service consent (en)');
  await page.goto(`${consentUrl}?lang=zh-TW`);
  await page.getByLabel(/資料交給服務後通知我/).fill('citizen@example.test');
  await page.getByRole('button', { name: '我同意提供' }).click();
  await page.waitForURL(`${bankUrl}/result`).catch(async (error: unknown) => {
    throw new Error(`not back at the bank: ${page.url()} ${await page.locator('body').textContent()} ${serviceLogs.join('\n')}`, { cause: error });
  });
  await page
    .locator('.verdict')
    .waitFor({ timeout: 30_000 })
    .catch(async (error: unknown) => {
      throw new Error(`no decision on the bank's page: ${await page.locator('body').textContent()} ${serviceLogs.join('\n')}`, { cause: error });
    });
  const result = (await page.locator('main').textContent()) ?? '';
  assert.match(result, /預審通過|無法線上預審通過/, 'the bank decided');
  assert.equal((result.match(/簽章驗證通過/g) ?? []).length, 3, 'three agency signatures verified by the bank itself');
  assert.match(result, /給付總額/, 'the records are shown with the catalogue’s field names');
  await audit(page, 'bank result');
  const deadline = Date.now() + 10_000;
  while (mail.messages().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const [notice] = mail.messages();
  assert.ok(notice, 'an e-mail after the transfer');
  assert.deepEqual(notice.to, ['citizen@example.test']);
  assert.match(JSON.stringify(notice), /Demo Commercial Bank|示範商業銀行/);
  assert.ok(!JSON.stringify(notice).includes(ID), 'the notice holds no ID');
  await page.close();
});

test('the scholarship: the person refuses; the foundation says it received nothing', async () => {
  const page = await context.newPage();
  await page.goto(scholarshipUrl);
  await audit(page, 'scholarship start');
  await page.getByRole('link', { name: /使用 OpenMyData 提供我的資料/ }).click();
  await page.waitForURL(/\/services\/consent\//);
  assert.match((await page.locator('main').textContent()) ?? '', /清寒學生獎學金申請/);
  await page.getByRole('button', { name: '不同意' }).click();
  await page.waitForURL(`${scholarshipUrl}/result`);
  assert.match((await page.locator('main').textContent()) ?? '', /您沒有同意提供資料[\s\S]*access_denied/);
  await audit(page, 'scholarship refused');
  await page.close();
});

test('the hub lists the services and the person’s transfers, in both languages', async () => {
  const page = await context.newPage();
  await page.goto(`${base}/services`);
  const list = (await page.locator('main').textContent()) ?? '';
  for (const expected of ['信用貸款線上預審', '清寒學生獎學金申請', '示範教育基金會']) assert.ok(list.includes(expected), expected);
  assert.equal(await page.locator(`a[href="${bankUrl}/"]`).count(), 1, 'each service links to its start page');
  await audit(page, 'services');
  await page.goto(`${base}/services?lang=en`);
  await audit(page, 'services (en)');
  await page.goto(`${base}/services/transfers?lang=zh-TW`);
  assert.match((await page.locator('main').textContent()) ?? '', /已交給服務/);
  await audit(page, 'transfers');
  await page.goto(`${base}/history?lang=en`);
  assert.match((await page.locator('main').textContent()) ?? '', /Transfer to service.*Demo Commercial Bank, Personal loan pre-screening \(purpose:/s);
  await audit(page, 'history (en)');
  await page.close();
});

test('nothing personal in the database, the data directory or the logs', async () => {
  await context.close();
  const citizen = findCitizen(ID);
  assert.ok(citizen);
  const needles = [ID, citizen.name, formatAddress(citizen.address), 'citizen@example.test'];
  assert.deepEqual(findPersonalData(filesUnder(t.database.dataDir), needles), []);
  for (const needle of needles) {
    assert.equal(t.logs().includes(needle), false, `the hub's logs hold ${needle}`);
    assert.equal(serviceLogs.join('\n').includes(needle), false, `the services' logs hold ${needle}`);
  }
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
