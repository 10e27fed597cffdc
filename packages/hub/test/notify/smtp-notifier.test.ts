// Failure paths against real sockets: nothing listening, and a server that rejects the recipient
// and quotes the address back. The successful path runs against the demo's mail sink, in
// demo/test/mail/.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { test } from 'node:test';
import { createSmtpNotifier, type Notice } from '../../src/notify/index.ts';
import { captureLogs } from '../helpers/log-capture.ts';

const ADDRESS = 'chen.mei-ling@example.test';
const notice: Notice = {
  to: ADDRESS,
  lang: 'zh-TW',
  kind: 'download',
  at: new Date('2025-03-04T06:05:00Z'),
  datasets: [{ name: { 'zh-TW': '個人戶籍資料', en: 'Household registration' }, agency: { 'zh-TW': '內政部戶政司', en: 'Household Registration' } }],
  historyUrl: 'https://hub.example.org/history',
};

function listenOn(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** Port 1 (tcpmux) is unused and no test binds it: connecting is refused at once. */
const CLOSED_PORT = 1;

test('mail server down: notify resolves false, does not throw, logs without the address', async () => {
  const logs = captureLogs();
  const notifier = createSmtpNotifier({ url: `smtp://127.0.0.1:${CLOSED_PORT}`, from: 'no-reply@openmydata.invalid', logger: logs.logger });
  assert.equal(await notifier.notify(notice), false);
  assert.match(logs.text(), /notification not sent/);
  assert.match(logs.text(), /"code":"ECONNECTION"|"code":"ESOCKET"/);
  assert.equal(logs.text().includes(ADDRESS), false);
});

test('a recipient refused with the address quoted back: false, and the log still has no address', async () => {
  // A minimal SMTP server that refuses every recipient the way real ones do.
  const server = createServer((socket) => {
    socket.write('220 test ESMTP\r\n');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      let end = buffer.indexOf('\r\n');
      while (end >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 test\r\n');
        else if (verb === 'MAIL') socket.write('250 OK\r\n');
        else if (verb === 'RCPT') socket.write(`550 5.1.1 <${line.replace(/^RCPT TO:<([^>]*)>.*$/i, '$1')}>: Recipient address rejected\r\n`);
        else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else if (verb === 'RSET' || verb === 'NOOP') socket.write('250 OK\r\n');
        else socket.write('502 not here\r\n');
        end = buffer.indexOf('\r\n');
      }
    });
    socket.on('error', () => {});
  });
  const port = await listenOn(server);
  try {
    const logs = captureLogs();
    const notifier = createSmtpNotifier({ url: `smtp://127.0.0.1:${port}`, from: 'no-reply@openmydata.invalid', logger: logs.logger });
    assert.equal(await notifier.notify(notice), false);
    assert.match(logs.text(), /"responseCode":550/);
    assert.match(logs.text(), /\[address\]/);
    assert.equal(logs.text().includes(ADDRESS), false);
    assert.equal(logs.text().includes('chen.mei-ling'), false);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('an invalid address or notice resolves false without touching the network', async () => {
  const logs = captureLogs();
  // Port 9 (discard) is never contacted: both notices are refused before sending.
  const notifier = createSmtpNotifier({ url: 'smtp://127.0.0.1:9', from: 'no-reply@openmydata.invalid', logger: logs.logger });
  assert.equal(await notifier.notify({ ...notice, to: 'not an address' }), false);
  assert.equal(await notifier.notify({ ...notice, at: new Date('nonsense') }), false);
  assert.match(logs.text(), /not a valid email address/);
  assert.match(logs.text(), /at is not a valid date/);
});
