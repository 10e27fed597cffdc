// Mode 1 over the portal's production routes: consent, progress from the database, preview, the
// one-time link that belongs to its owner, the person's history; then nothing personal in any
// table, the database files or the logs.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { type FakeAgency, goodPackage, startFakeAgency, zipAnswer } from '../helpers/fake-agency.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { type PortalClient, signedIn, untilFinished } from '../helpers/portal-client.ts';
import { testRegistry } from '../helpers/registry.ts';
import { runScript } from '../helpers/run-script.ts';

const NATIONAL_ID = 'A123456789';
const STRANGER_ID = 'B287654326';
const NAME = '王小明';
const ADDRESS = '臺北市中正區重慶南路一段122號';
const NEEDLES = [NATIONAL_ID, NATIONAL_ID.toLowerCase(), NAME, ADDRESS];
const PASSWORD = 'correct horse battery';
const DATASETS = ['household-personal', 'household-members'];

let t: TestHub;
let agency: FakeAgency;
let owner: PortalClient;
let stranger: PortalClient;

before(async () => {
  agency = await startFakeAgency('household-office');
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, info, { records: [{ value: `${NAME} ${NATIONAL_ID} ${ADDRESS}` }] })));
  t = await startTestHub({ registry: testRegistry([{ id: 'household-office', baseUrl: agency.url, datasets: DATASETS }]) });
  owner = await signedIn(t.hub, t.url, NATIONAL_ID);
  stranger = await signedIn(t.hub, t.url, STRANGER_ID);
});
after(async () => {
  await t?.stop();
  await agency?.close();
});

function holdsNeedle(value: unknown): string | undefined {
  for (const needle of NEEDLES) {
    if (Buffer.isBuffer(value) && value.includes(Buffer.from(needle, 'utf8'))) return needle;
    if (value instanceof Uint8Array && Buffer.from(value).includes(Buffer.from(needle, 'utf8'))) return needle;
    if (typeof value === 'string' && value.includes(needle)) return needle;
  }
  return undefined;
}

let retrievalPath = '';
let link = '';

test('consent starts a retrieval whose progress, preview and link come from the database', async () => {
  const consent = await owner.post('/download/consent', { datasets: DATASETS, password: PASSWORD, password2: PASSWORD, email: '' });
  assert.equal(consent.status, 303, await consent.text());
  retrievalPath = consent.headers.get('location') ?? '';
  assert.match(retrievalPath, /^\/download\/retrievals\/[0-9a-f-]{36}$/);
  await untilFinished(owner, retrievalPath);
  const page = await (await owner.get(retrievalPath)).text();
  assert.match(page, /資料已備妥/);
  assert.doesNotMatch(page, /正在處理/, 'the finished page no longer says the agencies are working');
  link = /href="(\/download\/files\/[A-Za-z0-9_-]{43})"/.exec(page)?.[1] ?? '';
  assert.ok(link, 'the page shows the one-time link');
  const preview = await (await owner.get(`${retrievalPath}/preview`)).text();
  assert.ok(preview.includes(NAME), 'the preview shows the records to their owner');
  const receipt = await owner.get(`${retrievalPath}/receipt`);
  assert.equal(receipt.status, 200);
  assert.match(await receipt.text(), /^ey[\w-]+\.ey[\w-]+\.[\w-]+$/, 'a signed consent receipt (JWS)');
});

test('another person gets 404 for the progress, the preview and the link, and the link is not spent', async () => {
  for (const path of [retrievalPath, `${retrievalPath}/preview`, `${retrievalPath}/receipt`, link]) {
    const res = await stranger.get(path);
    assert.equal(res.status, 404, path);
    assert.equal(holdsNeedle(await res.text()), undefined);
  }
  const anonymous = await fetch(`${t.url}${link}`, { redirect: 'manual' });
  assert.equal(anonymous.status, 404, 'no session, no download');
  const taken = await owner.get(link);
  assert.equal(taken.status, 200, 'the owner still gets it');
  assert.equal(taken.headers.get('content-type'), 'application/zip');
  assert.ok((await taken.arrayBuffer()).byteLength > 1000);
});

test('after the download the link is spent, and the page says when it was downloaded', async () => {
  const again = await owner.get(link);
  assert.equal(again.status, 410);
  const page = await (await owner.get(retrievalPath)).text();
  assert.match(page, /您已於 .+ 下載此資料包/);
  assert.doesNotMatch(page, /\/download\/files\//, 'no download button any more');
});

test('the history names what happened, in the page language, without codes', async () => {
  const page = await (await owner.get('/history?lang=en')).text();
  for (const expected of ['Consent given', 'Request to agency', 'Package made', 'Download', 'You', 'Test agency household-office'])
    assert.ok(page.includes(expected), expected);
  for (const code of ['>self<', '>ok<', '>x509<', 'level_1']) assert.ok(!page.includes(code), `no code ${code} on the page`);
  const json = (await (await owner.get('/api/v1/me/history', { headers: { accept: 'application/json' } })).json()) as {
    entries: Array<{ entry: { action: string } }>;
  };
  const actions = json.entries.map((e) => e.entry.action);
  for (const action of ['consent_granted', 'consent_used', 'agency_request', 'agency_outcome', 'package_built', 'download'])
    assert.ok(actions.includes(action), action);
});

test('a granted consent can be revoked from the history until it is used, and then not again', async () => {
  const consent = await t.hub.retrievals.grant({
    subjectKey: t.hub.subjectKey(NATIONAL_ID),
    datasets: [{ id: 'household-personal', category: 'test' }],
    recipient: { kind: 'self', id: 'self' },
    purpose: 'test',
    controller: { 'zh-TW': '當事人本人', en: 'The data subject' },
    validForMs: 60_000,
  });
  const refused = await stranger.post(`/consents/${consent.id}/revoke`, {});
  assert.match(await refused.text(), /無法撤回/, 'only its owner may revoke it');
  const revoked = await owner.post(`/consents/${consent.id}/revoke`, {});
  assert.equal(revoked.status, 200);
  assert.match(await revoked.text(), /已撤回同意/);
  const twice = await owner.post(`/consents/${consent.id}/revoke`, {});
  assert.match(await twice.text(), /無法撤回/);
  const forged = await owner.post(`/consents/${consent.id}/revoke`, { _csrf: 'forged' });
  assert.equal(forged.status, 403, 'a forged form is refused');
  await assert.rejects(
    t.hub.retrievals.retrieve({ consentId: consent.id, nationalId: NATIONAL_ID, delivery: { recipient: 'self', accept: async () => undefined } }),
    { name: 'ConsentUnavailableError' },
    'a revoked consent cannot be used',
  );
  const history = (await (await owner.get('/api/v1/me/history')).json()) as { entries: Array<{ entry: { action: string; consent: string } }> };
  assert.ok(history.entries.some((e) => e.entry.action === 'consent_revoked' && e.entry.consent === consent.id));
});

test("an operator's fetch names the operator and the reason in the person's history; without them it is refused", async () => {
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    DATA_DIR: t.database.dataDir,
    HUB_PUBLIC_URL: t.url,
    ...(t.database.databaseUrl ? { DATABASE_URL: t.database.databaseUrl } : {}),
  };
  const script = join(import.meta.dirname, '../../src/cli/fetch.ts');
  const refused = await runScript(script, ['--subject', NATIONAL_ID, '--datasets', 'household-personal'], { env });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--operator \(who\) and --reason \(why\)/);
  const run = await runScript(
    script,
    ['--operator', 'ops.chen', '--reason', '客服案件 2026-118', '--subject', NATIONAL_ID, '--datasets', 'household-personal', '--json'],
    { env },
  );
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /"status":"ok"/);
  const page = await (await owner.get('/history')).text();
  assert.match(page, /營運人員操作<\/td><td>資料集 household-personal<\/td><td>營運人員 ops\.chen<\/td>/);
  const history = (await (await owner.get('/api/v1/me/history')).json()) as {
    entries: Array<{ entry: { action: string; actor: { kind: string; id: string }; purpose: string } }>;
  };
  const operator = history.entries.find((e) => e.entry.action === 'operator_action');
  assert.deepEqual(operator?.entry.actor, { kind: 'operator', id: 'ops.chen' });
  assert.equal(operator?.entry.purpose, '客服案件 2026-118');
});

test('nothing personal in any table, the database files or the logs', async () => {
  const tables =
    t.hub.engine === 'postgres'
      ? (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(t.hub.db)).rows
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(t.hub.db)).rows;
  let cells = 0;
  for (const { name } of tables) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(t.hub.db)).rows;
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        cells += 1;
        assert.equal(holdsNeedle(value), undefined, `${name}.${column} holds personal data`);
      }
    }
  }
  assert.ok(cells > 200, `scanned ${cells} cells`);
  if (t.hub.engine === 'sqlite') {
    for (const file of readdirSync(t.database.dataDir).filter((f) => f.startsWith('hub.sqlite'))) {
      assert.equal(holdsNeedle(readFileSync(join(t.database.dataDir, file))), undefined, `${file} holds personal data`);
    }
  }
  assert.equal(holdsNeedle(t.logs()), undefined, 'the logs hold personal data');
});
