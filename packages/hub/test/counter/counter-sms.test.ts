// A person who gives a mobile number instead of an e-mail address at the counter consent: the
// confirmation code and the notice after the retrieval arrive as SMS at the demo's gateway sink,
// over real HTTP; the mail sink gets nothing; the number is in no table, file or log.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { startSmsSink } from '../../../../demo/src/sms/sms-sink.ts';
import { signedIn, untilFinished } from '../helpers/portal-client.ts';
import { ConsoleClient, type CounterHub, codeOnPage, makeStaff, startCounterHub } from './counter-helpers.ts';

const TOKEN = 'counter-sms-token-0123456789';
const MOBILE = '0912-345-678';
const NEEDLES = ['912345678', '912-345-678'];
let h: CounterHub;
let sms: Awaited<ReturnType<typeof startSmsSink>>;

before(async () => {
  sms = await startSmsSink({ port: 0, token: TOKEN });
  h = await startCounterHub({ smsGateway: { url: sms.url, token: TOKEN } });
});
after(async () => {
  await h?.stop();
  await sms?.close();
});

function holds(value: unknown): boolean {
  const text = Buffer.isBuffer(value) ? value.toString('latin1') : typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return NEEDLES.some((n) => text.includes(n));
}

test('a mobile number at the consent: confirmation code and notice by SMS, nothing by mail, the number stored nowhere', async () => {
  const person = await signedIn(h.t.hub, h.t.url, 'A123456789', 2);
  const consent = await person.get('/counters/services/taoyuan-low-income/consent?lang=en');
  assert.match(await consent.text(), /E-mail or mobile number \(required\)/);
  const bad = await person.post('/counters/services/taoyuan-low-income/consent', { email: '02-2345-6789', decision: 'agree' });
  assert.equal(bad.status, 422);
  assert.match(await bad.text(), /請填寫有效的電子郵件地址，或手機號碼/);

  const res = await person.post('/counters/services/taoyuan-low-income/consent', { email: MOBILE, decision: 'agree' });
  assert.equal(res.status, 303, await res.text());
  const path = res.headers.get('location') ?? '';
  await untilFinished(person, path);
  const code = codeOnPage(await (await person.get(path)).text());

  const login = await makeStaff(h.t.hub, 'clerk.sms', 'taoyuan-social');
  const console = new ConsoleClient(h.t.url);
  await console.signedIn(login);
  const mailBefore = h.mail.messages().length;
  const scanned = await console.scan(code);
  assert.equal(scanned.status, 200, scanned.text);
  const confirmation = sms.messages().find((m) => m.to === '+886912345678' && /確認碼/.test(m.text));
  const digits = confirmation ? /確認碼 (\d{6})/.exec(confirmation.text)?.[1] : undefined;
  assert.ok(digits, 'the confirmation code arrived by SMS');
  const opened = await console.confirm(ConsoleClient.redemptionOf(scanned.text), digits);
  assert.equal(opened.status, 303, opened.text);
  assert.match(opened.location ?? '', /^\/console\/cases\//);
  // The notice is sent after the clerk's answer: wait for it to arrive.
  const notice = await sms.received((m) => m.to === '+886912345678' && /已於 .+ 臨櫃調閱您的 2 項資料/.test(m.text));
  assert.match(notice.text, /「桃園市政府社會局」/);
  assert.equal(h.mail.messages().length, mailBefore, 'nothing went by mail');

  const tables =
    h.t.hub.engine === 'postgres'
      ? (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(h.t.hub.db)).rows
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(h.t.hub.db)).rows;
  for (const { name } of tables) {
    for (const row of (await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(h.t.hub.db)).rows) {
      for (const [column, value] of Object.entries(row)) assert.equal(holds(value), false, `${name}.${column} holds the number`);
    }
  }
  if (h.t.hub.engine === 'sqlite') {
    for (const file of readdirSync(h.t.database.dataDir).filter((f) => f.startsWith('hub.sqlite')))
      assert.equal(holds(readFileSync(join(h.t.database.dataDir, file))), false, `${file} holds the number`);
  }
  assert.equal(holds(h.t.logs()), false, 'the logs hold the number');
});
