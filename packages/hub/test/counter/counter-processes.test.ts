// Any hub process serves any step of mode 2: two hub processes on one database (PostgreSQL in CI, or
// one SQLite file). The person consents on one and sees the code on the other; the clerk signs in on
// one, scans on the other, confirms on the first, reads the case and closes it on the second; wrong
// codes counted by both processes lock the console on both.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startMailSink } from '../../../../demo/src/mail/mail-sink.ts';
import { loadConfig } from '../../src/config.ts';
import { createHub, type Hub } from '../../src/hub.ts';
import { createNoopNotifier } from '../../src/notify/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { type FakeAgency, goodPackage, startFakeAgency, zipAnswer } from '../helpers/fake-agency.ts';
import { type HubProcess, startHubProcess } from '../helpers/hub-process.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { clientFor, signedIn, untilFinished } from '../helpers/portal-client.ts';
import { testRegistry } from '../helpers/registry.ts';
import { ConsoleClient, codeOnPage, confirmationCodeIn, DATASETS, makeStaff, rows, TEST_COUNTERS } from './counter-helpers.ts';

const EMAIL = 'two.processes@example.test';
let database: TestDatabase;
let agency: FakeAgency;
let mail: Awaited<ReturnType<typeof startMailSink>>;
let a: HubProcess;
let b: HubProcess;
/** An in-process hub on the same database and secret: makes the person's session and staff accounts. */
let here: Hub;

before(async () => {
  database = await createTestDatabase();
  agency = await startFakeAgency('household-office');
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, info, { records: [{ value: 'synthetic record' }] })));
  mail = await startMailSink({ smtpPort: 0, httpPort: 0 });
  const registryFile = join(database.dataDir, 'registry.json');
  writeFileSync(registryFile, JSON.stringify(testRegistry([{ id: 'household-office', baseUrl: agency.url, datasets: DATASETS }])));
  const countersFile = join(database.dataDir, 'counters.json');
  writeFileSync(countersFile, JSON.stringify(TEST_COUNTERS));
  const env = {
    HUB_PORT: '0',
    DATA_DIR: database.dataDir,
    HUB_SECRET: randomBytes(32).toString('base64'),
    REGISTRY_FILE: registryFile,
    COUNTER_REGISTRY_FILE: countersFile,
    SMTP_URL: mail.smtpUrl,
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
  };
  here = await createHub(loadConfig({ ...env, NODE_ENV: 'test' }), {
    logger: captureLogs().logger,
    identity: { x509: undefined, oidc: undefined },
    notifier: createNoopNotifier(),
    counterRegistryFile: countersFile,
  });
  a = await startHubProcess(env);
  b = await startHubProcess(env);
});

after(async () => {
  for (const stop of [() => a?.stop(), () => b?.stop(), () => here?.close()]) await stop()?.catch(() => {});
  await agency?.close();
  await mail?.close();
  await database?.cleanup();
});

test('consent, code, scan, confirmation, case and closing, each step on either process', async () => {
  const onA = await signedIn(here, a.url, 'A123456789', 2);
  const onB = clientFor(b.url, onA.cookie, onA.csrf);
  const consent = await onA.post('/counters/services/taoyuan-low-income/consent', { email: EMAIL, decision: 'agree' });
  assert.equal(consent.status, 303, await consent.text());
  const path = consent.headers.get('location') ?? '';
  await untilFinished(onB, path);
  const code = codeOnPage(await (await onB.get(path)).text());
  assert.equal((await onA.get(`${path}/qr.png`)).status, 200, 'A draws the code B showed');

  const clerk = await makeStaff(here, 'clerk.two-processes', 'taoyuan-social');
  const console = new ConsoleClient(a.url);
  await console.signedIn(clerk);
  console.baseUrl = b.url;
  const scanned = await console.scan(code);
  assert.equal(scanned.status, 200, scanned.text);
  console.baseUrl = a.url;
  const opened = await console.confirm(ConsoleClient.redemptionOf(scanned.text), confirmationCodeIn(mail, EMAIL));
  assert.equal(opened.status, 303, opened.text);
  console.baseUrl = b.url;
  const casePage = await console.get(opened.location ?? '');
  assert.equal(casePage.status, 200);
  assert.match(casePage.text, /機關簽章有效/);
  assert.match(casePage.text, /synthetic record/);
  console.baseUrl = a.url;
  const pdf = await console.get(`${opened.location}/datasets/income/pdf`);
  assert.equal(pdf.status, 200);
  console.baseUrl = b.url;
  assert.equal((await console.post(`${opened.location}/done`, {})).status, 303);
  assert.equal(await rows(here, 'counter_packages'), 0);
  assert.equal(await rows(here, 'counter_cases'), 0);
  assert.match(await (await onA.get(path)).text(), /臨櫃調閱您的資料，平台已刪除資料包/);
});

test('wrong codes counted on both processes lock the console on both', async () => {
  const clerk = await makeStaff(here, 'clerk.two-processes.2', 'taoyuan-social');
  const console = new ConsoleClient(a.url);
  await console.signedIn(clerk);
  const guesses = ['ZZZZ2345', 'ZZZZ2346', 'ZZZZ2347', 'ZZZZ2348'];
  for (const [i, guess] of guesses.entries()) {
    console.baseUrl = i % 2 === 0 ? a.url : b.url;
    assert.equal((await console.scan(guess)).status, 404);
  }
  console.baseUrl = b.url;
  assert.equal((await console.scan('ZZZZ2349')).status, 423);
  console.baseUrl = a.url;
  const page = await console.get('/console');
  assert.equal(page.status, 423);
  assert.match(page.text, /此櫃檯已暫時鎖定/);
});
