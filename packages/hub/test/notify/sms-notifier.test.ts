// The SMS notifier over real HTTP against the demo's SMS gateway sink: what it posts (E.164 number,
// short text in the person's language, bearer token), what it does when the gateway refuses or is
// down (resolves false, logs no number), the settings it refuses at start-up, and the routing of a
// notice by its address (mobile number → SMS, anything else → e-mail).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSmsSink } from '../../../../demo/src/sms/sms-sink.ts';
import { ConfigError } from '../../src/config.ts';
import {
  composeSms,
  createSmsNotifier,
  isMobileNumber,
  normalizeMobile,
  type Notice,
  type Notifier,
  notifierFromEnv,
  routeByAddress,
} from '../../src/notify/index.ts';

const TOKEN = 'demo-sms-token-0123456789';
let sink: Awaited<ReturnType<typeof startSmsSink>>;

before(async () => {
  sink = await startSmsSink({ port: 0, token: TOKEN });
});
after(async () => {
  await sink?.close();
});

function notice(to: string, over: Partial<Notice> = {}): Notice {
  return {
    to,
    lang: 'zh-TW',
    kind: 'counter_confirmation',
    at: new Date('2026-03-04T06:05:00Z'),
    datasets: [{ name: { 'zh-TW': '戶籍資料', en: 'Household registration' }, agency: { 'zh-TW': '內政部', en: 'Ministry of the Interior' } }],
    recipient: { 'zh-TW': '桃園市政府社會局・低收入戶申請', en: 'Taoyuan Social Welfare · Low-income application' },
    historyUrl: 'https://mydata.example.tw/history',
    confirmation: { code: '482913', validMinutes: 2 },
    ...over,
  };
}

function logger() {
  const lines: string[] = [];
  return {
    lines,
    info: (d: object, m: string) => lines.push(`${m} ${JSON.stringify(d)}`),
    warn: (d: object, m: string) => lines.push(`${m} ${JSON.stringify(d)}`),
  };
}

test('mobile numbers: Taiwan mobile numbers as people type them and E.164 numbers; nothing else', () => {
  assert.equal(normalizeMobile('0912-345-678'), '+886912345678');
  assert.equal(normalizeMobile('0912 345 678'), '+886912345678');
  assert.equal(normalizeMobile('+886 912 345 678'), '+886912345678');
  assert.equal(normalizeMobile('+44 7700 900123'), '+447700900123');
  for (const bad of ['', '02-2345-6789', '+8860912345678', '+886212345678', 'someone@example.test', '09123456789', '0912345678'.repeat(4), '+0123456789'])
    assert.equal(isMobileNumber(bad), false, bad);
});

test('the notifier posts the number in E.164 and a short text in the person’s language, with the bearer token; the gateway has it', async () => {
  const log = logger();
  const sms = createSmsNotifier({ url: sink.url, token: TOKEN, logger: log });
  assert.equal(await sms.notify(notice('0912-345-678')), true);
  const [got] = sink.messages();
  assert.equal(got?.to, '+886912345678');
  assert.equal(got?.text, composeSms(notice('0912-345-678')));
  assert.match(got?.text ?? '', /^OpenMyData 確認碼 482913（2 分鐘內有效）。「桃園市政府社會局・低收入戶申請」臨櫃人員要調閱您的 1 項資料/);
  assert.equal(await sms.notify(notice('+886912345678', { lang: 'en', kind: 'counter_retrieval', confirmation: undefined })), true);
  assert.match(
    sink.messages()[0]?.text ?? '',
    /^OpenMyData: Taoyuan Social Welfare · Low-income application opened 1 of your records at the counter at 2026-03-04 14:05\. History: https:\/\/mydata\.example\.tw\/history$/,
  );
  assert.doesNotMatch(log.lines.join('\n'), /912345678/, 'the number is never logged');
});

test('a gateway that refuses or is down, and an address that is no mobile number: false, never a throw, no number in the logs', async () => {
  const log = logger();
  const wrongToken = createSmsNotifier({ url: sink.url, token: 'not-the-right-token-000', logger: log });
  const before = sink.messages().length;
  assert.equal(await wrongToken.notify(notice('0912345678')), false);
  assert.equal(sink.messages().length, before, 'the gateway took nothing');
  assert.match(log.lines.join('\n'), /notification not sent .*"status":401/);
  const down = await startSmsSink({ port: 0, token: TOKEN });
  const downUrl = down.url;
  await down.close();
  assert.equal(await createSmsNotifier({ url: downUrl, token: TOKEN, logger: log }).notify(notice('0912345678')), false);
  assert.equal(await createSmsNotifier({ url: sink.url, token: TOKEN, logger: log }).notify(notice('someone@example.test')), false);
  assert.equal(
    await createSmsNotifier({ url: sink.url, token: TOKEN, logger: log }).notify(notice('0912345678', { confirmation: { code: 'x', validMinutes: 2 } })),
    false,
  );
  assert.doesNotMatch(log.lines.join('\n'), /912345678|someone@/);
});

test('settings: https (plain http only on the loopback), a token, no credentials in the URL; checked at start-up', () => {
  assert.throws(
    () => createSmsNotifier({ url: 'http://sms.example.tw/v1', token: TOKEN }),
    (e: unknown) => e instanceof ConfigError && /SMS_GATEWAY_URL: must use https/.test(e.message),
  );
  assert.throws(
    () => notifierFromEnv({ SMS_GATEWAY_URL: 'https://sms.example.tw/v1' }),
    (e: unknown) => e instanceof ConfigError && /SMS_GATEWAY_TOKEN: must be set/.test(e.message),
  );
  assert.throws(
    () => notifierFromEnv({ SMS_GATEWAY_TOKEN: TOKEN }),
    (e: unknown) => e instanceof ConfigError && /set without SMS_GATEWAY_URL/.test(e.message),
  );
  assert.throws(
    () => notifierFromEnv({ SMS_GATEWAY_URL: 'https://user:pw@sms.example.tw/v1', SMS_GATEWAY_TOKEN: TOKEN }),
    (e: unknown) => e instanceof ConfigError && /must not carry credentials/.test(e.message) && !e.message.includes('pw@'),
  );
  assert.equal(notifierFromEnv({}).sms, undefined, 'no gateway: no SMS');
  assert.equal(notifierFromEnv({ SMS_GATEWAY_URL: sink.url, SMS_GATEWAY_TOKEN: TOKEN }).sms, true);
});

test('one notifier over both channels: a mobile number goes by SMS, an e-mail address by e-mail', async () => {
  const mailed: string[] = [];
  const email: Notifier = {
    notify: (n) => {
      mailed.push(n.to);
      return Promise.resolve(true);
    },
  };
  const routed = routeByAddress({ email, sms: createSmsNotifier({ url: sink.url, token: TOKEN }) });
  const before = sink.messages().length;
  assert.equal(await routed.notify(notice('someone@example.test')), true);
  assert.equal(await routed.notify(notice('0987 654 321')), true);
  assert.deepEqual(mailed, ['someone@example.test']);
  assert.equal(sink.messages().length, before + 1);
  assert.equal(sink.messages()[0]?.to, '+886987654321');
  assert.equal(await routeByAddress({ email }).notify(notice('0987654321')), false, 'no SMS channel: not sent');
});
