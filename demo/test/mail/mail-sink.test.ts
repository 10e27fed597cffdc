// Notices over real SMTP end to end: the hub's SMTP notifier -> the demo's mail sink -> its outbox
// page and JSON list. Plus the sink's own limits (1 MB, 200 messages, loopback, own host names).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { createSmtpNotifier, DEFAULT_MAIL_FROM, type Notice, type Notifier } from '@openmydata/hub';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { captureLogs } from '../../../packages/hub/test/helpers/log-capture.ts';
import { DEMO_AGENCIES } from '../../src/catalogue.ts';
import { KEPT_MESSAGES, type MailSink, type SinkMessage, startMailSink } from '../../src/mail/mail-sink.ts';
import { findCitizen, formatAddress } from '../../src/population/citizens.ts';

const HISTORY_URL = 'http://localhost:3000/history';
const TO = 'citizen@example.test';
const wang = findCitizen('A123456789');
assert.ok(wang);
const PERSONAL = ['A123456789', '王小明', wang.name, formatAddress(wang.address)];

const household = DEMO_AGENCIES[0];
const labour = DEMO_AGENCIES[1];
assert.ok(household && labour);
const datasets: Notice['datasets'] = [
  ...household.datasets.slice(0, 2).map((d) => ({ name: d.name, agency: household.name })),
  ...labour.datasets.slice(0, 1).map((d) => ({ name: d.name, agency: labour.name })),
];

let sink: MailSink;
let notifier: Notifier;

before(async () => {
  sink = await startMailSink({ smtpPort: 0, httpPort: 0 });
  notifier = createSmtpNotifier({ url: sink.smtpUrl, from: DEFAULT_MAIL_FROM });
});
after(async () => {
  await sink?.close();
});
beforeEach(() => sink.clear());

function notice(overrides: Partial<Notice> = {}): Notice {
  return {
    to: TO,
    lang: 'zh-TW',
    kind: 'transfer',
    at: new Date('2025-03-04T06:05:00Z'),
    datasets,
    recipient: { 'zh-TW': '臺北市政府社會局', en: 'Taipei City Department of Social Welfare' },
    historyUrl: HISTORY_URL,
    ...overrides,
  };
}

function only(messages: SinkMessage[]): SinkMessage {
  assert.equal(messages.length, 1);
  const [message] = messages;
  assert.ok(message);
  return message;
}

function assertNoPersonalData(message: SinkMessage): void {
  const everything = JSON.stringify(message);
  for (const needle of PERSONAL) assert.equal(everything.includes(needle), false, `message contains ${needle}`);
}

test('a transfer notice in zh-TW arrives over SMTP, Chinese first, English below', async () => {
  assert.equal(await notifier.notify(notice()), true);
  const message = only(sink.messages());
  assert.deepEqual(message.to, [TO]);
  assert.equal(message.from, DEFAULT_MAIL_FROM);
  assert.match(
    message.subject,
    /^OpenMyData：您的資料已提供給「臺北市政府社會局」 \/ OpenMyData: your data was sent to Taipei City Department of Social Welfare$/,
  );
  assert.ok(message.text.indexOf('您的下列資料已於 2025-03-04 14:05（臺灣時間）經') >= 0);
  assert.ok(message.text.indexOf('您的下列資料') < message.text.indexOf('On 2025-03-04 14:05 Taiwan time'));
  for (const d of datasets) {
    for (const name of [d.name['zh-TW'], d.name.en, d.agency['zh-TW'], d.agency.en]) assert.ok(message.text.includes(name), name);
  }
  assert.ok(message.text.includes(HISTORY_URL));
  assert.match(message.text, /請立即聯絡 OpenMyData 客服中心/);
  assert.match(message.text, /contact the OpenMyData service desk/);
  assert.match(message.html ?? '', new RegExp(`<a href="${HISTORY_URL}">`));
  assertNoPersonalData(message);
});

test('a counter retrieval notice in English arrives English first, Chinese below', async () => {
  const ok = await notifier.notify(
    notice({ lang: 'en', kind: 'counter_retrieval', recipient: { 'zh-TW': '新北市板橋區公所', en: 'Banqiao District Office' } }),
  );
  assert.equal(ok, true);
  const message = only(sink.messages());
  assert.match(message.subject, /^OpenMyData: Banqiao District Office retrieved your data at a counter \/ OpenMyData：「新北市板橋區公所」已臨櫃調閱您的資料$/);
  assert.ok(message.text.indexOf('counter staff of Banqiao District Office') < message.text.indexOf('的臨櫃人員'));
  assert.ok(message.text.includes(HISTORY_URL));
  assertNoPersonalData(message);
});

test('a download notice, and several notices at once', async () => {
  const results = await Promise.all([
    notifier.notify(notice({ kind: 'download', recipient: undefined })),
    notifier.notify(notice({ to: 'second@example.test' })),
    notifier.notify(notice({ to: 'third@example.test', lang: 'en' })),
  ]);
  assert.deepEqual(results, [true, true, true]);
  const messages = sink.messages();
  assert.equal(messages.length, 3);
  assert.deepEqual(new Set(messages.flatMap((m) => m.to)), new Set([TO, 'second@example.test', 'third@example.test']));
  const download = messages.find((m) => m.subject.includes('downloaded'));
  assert.ok(download);
  assert.match(download.subject, /^OpenMyData：您的資料已被下載/);
  for (const m of messages) assertNoPersonalData(m);
});

test('the JSON list shows messages newest first, and DELETE empties it', async () => {
  await notifier.notify(notice({ to: 'first@example.test' }));
  await notifier.notify(notice({ to: 'second@example.test' }));
  const list = (await (await fetch(new URL('/api/messages', sink.outboxUrl))).json()) as { messages: SinkMessage[] };
  assert.deepEqual(
    list.messages.map((m) => m.to[0]),
    ['second@example.test', 'first@example.test'],
  );
  assert.ok(list.messages[0]?.text.includes(HISTORY_URL));
  const deleted = await fetch(new URL('/api/messages', sink.outboxUrl), { method: 'DELETE' });
  assert.equal(deleted.status, 204);
  assert.deepEqual(sink.messages(), []);
});

test('the outbox page lists the message and opens its text', async () => {
  await notifier.notify(notice());
  const message = only(sink.messages());
  const response = await fetch(sink.outboxUrl);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  const page = await response.text();
  assert.match(page, /<html lang="zh-Hant-TW">/);
  assert.match(page, /<main[ >]/);
  assert.match(page, /<header>/);
  assert.match(page, /<caption>/);
  assert.match(page, /<th scope="col">主旨 <span lang="en" class="en">Subject<\/span><\/th>/);
  assert.ok(page.includes('臺北市政府社會局'));
  assert.ok(page.includes(TO));
  assert.ok(page.includes(`href="/messages/${message.id}"`));

  const read = await fetch(new URL(`/messages/${message.id}`, sink.outboxUrl));
  assert.equal(read.status, 200);
  const body = await read.text();
  assert.match(body, /<html lang="zh-Hant-TW">/);
  assert.match(body, /<main[ >]/);
  assert.ok(body.includes(`<a href="${HISTORY_URL}" rel="noreferrer">${HISTORY_URL}</a>`));
  assert.ok(body.includes(datasets[0]?.name['zh-TW'] ?? '?'));

  assert.equal((await fetch(new URL('/messages/00000000-0000-4000-8000-000000000000', sink.outboxUrl))).status, 404);
  assert.equal((await fetch(new URL('/nowhere', sink.outboxUrl))).status, 404);
  assert.equal((await fetch(sink.outboxUrl, { method: 'POST' })).status, 405);
});

test('the page’s delete button works from the page only', async () => {
  await notifier.notify(notice());
  const origin = new URL(sink.outboxUrl).origin;
  const foreign = await fetch(new URL('/clear', sink.outboxUrl), { method: 'POST', headers: { Origin: 'http://evil.example' }, redirect: 'manual' });
  assert.equal(foreign.status, 403);
  const crossSite = await fetch(new URL('/clear', sink.outboxUrl), { method: 'POST', headers: { 'Sec-Fetch-Site': 'cross-site' }, redirect: 'manual' });
  assert.equal(crossSite.status, 403);
  assert.equal(sink.messages().length, 1);
  const own = await fetch(new URL('/clear', sink.outboxUrl), { method: 'POST', headers: { Origin: origin }, redirect: 'manual' });
  assert.equal(own.status, 303);
  assert.deepEqual(sink.messages(), []);
});

test('requests for another host name are refused (DNS rebinding)', async () => {
  const url = new URL(sink.outboxUrl);
  const status = await new Promise<number | undefined>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: '/api/messages', headers: { Host: 'attacker.example:80' } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 421);
  const viaLocalhost = await fetch(`http://localhost:${url.port}/healthz`).catch(() => undefined);
  if (viaLocalhost) assert.equal(viaLocalhost.status, 200);
});

test('a message over 1 MB is refused; the sink keeps the last 200 only', async () => {
  const transport = createTransport({ url: sink.smtpUrl, pool: true, maxConnections: 1, maxMessages: Number.POSITIVE_INFINITY });
  try {
    await assert.rejects(
      transport.sendMail({ from: 'a@example.test', to: TO, subject: 'big', text: 'x'.repeat(1024 * 1024 + 1) }),
      (error: Error & { responseCode?: number }) => error.responseCode === 552,
    );
    assert.deepEqual(sink.messages(), []);
    await Promise.all(
      Array.from({ length: KEPT_MESSAGES + 5 }, (_, i) => transport.sendMail({ from: 'a@example.test', to: TO, subject: `n${i}`, text: String(i) })),
    );
  } finally {
    transport.close();
  }
  const messages = sink.messages();
  assert.equal(messages.length, KEPT_MESSAGES);
  // One connection, so they arrived in order: the five oldest are gone, the newest is first.
  assert.equal(messages[0]?.subject, `n${KEPT_MESSAGES + 4}`);
  assert.equal(messages.at(-1)?.subject, 'n5');
});

test('the sink listens on the loopback only', async () => {
  await assert.rejects(startMailSink({ smtpPort: 0, httpPort: 0, host: '0.0.0.0' }), /loopback only/);
});

test('a server offering STARTTLS gets STARTTLS, and an unverifiable certificate stops the send', async () => {
  let received = 0;
  // smtp-server's built-in certificate: self-signed (and expired), so it must not verify.
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        received += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  try {
    const port = (server.server.address() as AddressInfo).port;
    const logs = captureLogs();
    const tlsNotifier = createSmtpNotifier({ url: `smtp://localhost:${port}`, from: DEFAULT_MAIL_FROM, logger: logs.logger });
    assert.equal(await tlsNotifier.notify(notice()), false);
    assert.equal(received, 0);
    assert.match(logs.text(), /certificate/);
    assert.equal(logs.text().includes(TO), false);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
