// Mode 2 end to end over the production routes: the counters list (page and API), consent with the
// e-mail the confirmation step needs, the code as text, QR code and Code128 barcode that decode to
// what the console accepts, re-issue, a clerk's sign-in, scan, confirmation code by mail, the records
// with the agency's signature verdict, the PDF, closing the case; then the package is gone, the
// person's history names the office and what it viewed, a notice was mailed, and nothing personal is
// in any table, the database files or the logs.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { type PortalClient, signedIn, untilFinished } from '../helpers/portal-client.ts';
import {
  ConsoleClient,
  type CounterHub,
  codeOnPage,
  confirmationCodeIn,
  DATASETS,
  decodeCode128,
  decodeQr,
  makeStaff,
  rows,
  type StaffLogin,
  startCounterHub,
} from './counter-helpers.ts';

const NATIONAL_ID = 'A123456789';
const NAME = '陳美玲';
const ADDRESS = '桃園市中壢區延平路600號';
const EMAIL = 'mei-ling.chen@example.test';
const NEEDLES = [NATIONAL_ID, NATIONAL_ID.toLowerCase(), NAME, ADDRESS, EMAIL];

let h: CounterHub;
let person: PortalClient;
let clerk: StaffLogin;
let path = '';
let code = '';

before(async () => {
  h = await startCounterHub({ records: [{ value: `${NAME} ${NATIONAL_ID} ${ADDRESS}` }] });
  person = await signedIn(h.t.hub, h.t.url, NATIONAL_ID, 2);
  clerk = await makeStaff(h.t.hub, 'clerk.taoyuan', 'taoyuan-social');
});
after(async () => {
  await h?.stop();
});

function holdsNeedle(value: unknown): string | undefined {
  for (const needle of NEEDLES) {
    if ((Buffer.isBuffer(value) || value instanceof Uint8Array) && Buffer.from(value).includes(Buffer.from(needle, 'utf8'))) return needle;
    if (typeof value === 'string' && value.includes(needle)) return needle;
  }
  return undefined;
}

test('the counters are listed by local government and office, on a page and in the API', async () => {
  const page = await (await person.get('/counters')).text();
  for (const expected of [
    '桃園市',
    '花蓮縣',
    '桃園市政府社會局',
    '低收入戶申請',
    '資料集 household-personal',
    'href="/counters/services/taoyuan-low-income/consent"',
  ])
    assert.ok(page.includes(expected), expected);
  const api = await fetch(`${h.t.url}/api/v1/counters`);
  assert.equal(api.status, 200);
  const body = (await api.json()) as {
    offices: Array<{
      id: string;
      local_government: { id: string };
      services: Array<{ id: string; datasets: Array<{ id: string; agency: { id: string } }>; available: boolean }>;
    }>;
  };
  assert.deepEqual(
    body.offices.map((o) => [o.id, o.local_government.id, o.services.map((s) => s.id)]),
    [
      ['taoyuan-social', 'taoyuan', ['taoyuan-low-income', 'taoyuan-emergency']],
      ['hualien-social', 'hualien', ['hualien-low-income']],
    ],
  );
  const service = body.offices[0]?.services[0];
  assert.deepEqual(
    service?.datasets.map((d) => [d.id, d.agency.id]),
    DATASETS.map((d) => [d, 'household-office']),
  );
  assert.equal(service?.available, true);
});

test('without a session the consent screen sends the person to sign in at the level the data sets need', async () => {
  const res = await fetch(`${h.t.url}/counters/services/taoyuan-low-income/consent`, { redirect: 'manual', headers: { accept: 'text/html' } });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/login?${new URLSearchParams({ next: '/counters/services/taoyuan-low-income/consent', level: '3' })}`);
});

test('the consent screen names the office, the service, the purpose, each data set and its agency; the e-mail is required', async () => {
  const page = await (await person.get('/counters/services/taoyuan-low-income/consent')).text();
  for (const expected of [
    '桃園市政府社會局',
    '低收入戶申請',
    '審核低收入戶資格',
    '資料集 household-personal',
    '資料集 income',
    '測試機關 household-office',
    '8 小時',
    '20 分鐘',
  ])
    assert.ok(page.includes(expected), expected);
  const missing = await person.post('/counters/services/taoyuan-low-income/consent', { email: '', decision: 'agree' });
  assert.equal(missing.status, 422);
  assert.match(await missing.text(), /請填寫電子郵件/);
  const bad = await person.post('/counters/services/taoyuan-low-income/consent', { email: 'not an address', decision: 'agree' });
  assert.equal(bad.status, 422);
  assert.equal(await rows(h.t.hub, 'counter_packages'), 0, 'nothing was fetched');
});

test('consent starts the retrieval; the page shows the code as text, a QR code and a Code128 barcode that decode to it', async () => {
  const res = await person.post('/counters/services/taoyuan-low-income/consent', { email: EMAIL, decision: 'agree' });
  assert.equal(res.status, 303, await res.text());
  path = res.headers.get('location') ?? '';
  assert.match(path, /^\/counters\/codes\/[0-9a-f-]{36}$/);
  await untilFinished(person, path);
  const page = await (await person.get(path)).text();
  assert.match(page, /您的臨櫃條碼/);
  code = codeOnPage(page);
  assert.match(code, /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{8}$/, 'eight characters of the unambiguous alphabet');
  const qr = await person.get(`${path}/qr.png`);
  assert.equal(qr.headers.get('content-type'), 'image/png');
  assert.equal(decodeQr(Buffer.from(await qr.arrayBuffer())), code);
  const barcode = await person.get(`${path}/barcode.png`);
  assert.equal(decodeCode128(Buffer.from(await barcode.arrayBuffer())), code);
  assert.equal((await fetch(`${h.t.url}${path}/qr.png`)).status, 404, 'nobody else gets the images');
});

test('the code can be made again; the old one stops working', async () => {
  const old = code;
  const again = await person.post(`${path}/reissue`, {});
  assert.equal(again.status, 303);
  const page = await (await person.get(again.headers.get('location') ?? '')).text();
  assert.match(page, /已產生新條碼/);
  code = codeOnPage(page);
  assert.notEqual(code, old);
  const console = new ConsoleClient(h.t.url);
  await console.signedIn(clerk);
  const refused = await console.scan(old);
  assert.equal(refused.status, 410);
  assert.match(refused.text, /民眾已重新產生條碼/);
});

let caseUrl = '';

test('a clerk scans the code (as the scanner reads it), the person gets a confirmation code, the clerk sees the verified records', async () => {
  const console = new ConsoleClient(h.t.url);
  await console.signedIn(clerk, new Date(Date.now() + 30_000));
  const decoded = decodeQr(Buffer.from(await (await person.get(`${path}/qr.png`)).arrayBuffer()));
  assert.ok(decoded);
  const scanned = await console.scan(decoded.toLowerCase().replace(/(....)/, '$1-'));
  assert.equal(scanned.status, 200, scanned.text);
  assert.match(scanned.text, /請民眾告知確認碼/);
  assert.match(scanned.text, /資料集 household-personal/);
  assert.equal(holdsNeedle(scanned.text), undefined, 'the confirmation page shows no personal data');
  const confirmation = confirmationCodeIn(h.mail, EMAIL);
  const opened = await console.confirm(ConsoleClient.redemptionOf(scanned.text), confirmation);
  assert.equal(opened.status, 303, opened.text);
  caseUrl = opened.location ?? '';
  assert.match(caseUrl, /^\/console\/cases\/[0-9a-f-]{36}$/);
  assert.equal(await rows(h.t.hub, 'counter_packages'), 0, 'the package is deleted as it is redeemed');
  const casePage = await console.get(caseUrl);
  assert.equal(casePage.status, 200);
  assert.match(casePage.text, /機關簽章有效（測試機關 household-office/);
  assert.ok(casePage.text.includes(NAME), 'the clerk reads the records');
  const pdf = await console.get(`${caseUrl}/datasets/household-personal/pdf`);
  assert.equal(pdf.res.headers.get('content-type'), 'application/pdf');
  assert.equal(
    Buffer.from(await pdf.res.arrayBuffer())
      .subarray(0, 5)
      .toString(),
    '%PDF-',
  );
  const other = new ConsoleClient(h.t.url);
  await other.signedIn(await makeStaff(h.t.hub, 'clerk.taoyuan.2', 'taoyuan-social'));
  assert.equal((await other.get(caseUrl)).status, 404, 'another clerk of the same office cannot open the case');
  const done = await console.post(`${caseUrl}/done`, {});
  assert.equal(done.status, 303);
  assert.match((await console.get(done.location ?? '')).text, /案件已完成，資料已刪除/);
  assert.equal((await console.get(caseUrl)).status, 404);
  assert.equal(await rows(h.t.hub, 'counter_cases'), 0);
  const usedAgain = await console.scan(code);
  assert.equal(usedAgain.status, 410);
  assert.match(usedAgain.text, /此條碼已於 .+ 調閱過/);
});

test('the person sees who opened it, gets a notice, and the history names the office and what it viewed', async () => {
  const page = await (await person.get(path)).text();
  assert.match(page, /「桃園市政府社會局」已於 .+ 臨櫃調閱您的資料，平台已刪除資料包/);
  const notice = h.mail.messages().find((m) => m.to.includes(EMAIL) && /已臨櫃調閱您的資料/.test(m.subject));
  assert.ok(notice, 'a notice after the retrieval');
  const history = await (await person.get('/history')).text();
  assert.match(history, /臨櫃調閱<\/td><td>資料集 household-personal、資料集 income<\/td><td>桃園市政府社會局・低收入戶申請<\/td>/);
  for (const outcome of ['寄送確認碼', '儲存 PDF', '完成案件', '重新產生條碼']) assert.ok(history.includes(outcome), outcome);
  const json = (await (await person.get('/api/v1/me/history')).json()) as {
    entries: Array<{ entry: { action: string; actor: { kind: string; id: string } } }>;
  };
  const retrieval = json.entries.find((e) => e.entry.action === 'counter_retrieval');
  assert.deepEqual(retrieval?.entry.actor, { kind: 'staff', id: 'clerk.taoyuan' });
});

test('nothing personal in any table, the database files or the logs', async () => {
  const tables =
    h.t.hub.engine === 'postgres'
      ? (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(h.t.hub.db)).rows
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(h.t.hub.db)).rows;
  let cells = 0;
  for (const { name } of tables) {
    for (const row of (await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(h.t.hub.db)).rows) {
      for (const [column, value] of Object.entries(row)) {
        cells += 1;
        assert.equal(holdsNeedle(value), undefined, `${name}.${column} holds personal data`);
      }
    }
  }
  assert.ok(cells > 200, `scanned ${cells} cells`);
  if (h.t.hub.engine === 'sqlite') {
    for (const file of readdirSync(h.t.database.dataDir).filter((f) => f.startsWith('hub.sqlite'))) {
      assert.equal(holdsNeedle(readFileSync(join(h.t.database.dataDir, file))), undefined, `${file} holds personal data`);
    }
  }
  assert.equal(holdsNeedle(h.t.logs()), undefined, 'the logs hold personal data');
});
