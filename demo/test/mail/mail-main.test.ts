// demo/src/mail/main.ts as the launcher runs it: one JSON ready line, then SMTP and the outbox
// answer; SIGTERM stops it cleanly; a bad port stops it with exit code 78.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { createSmtpNotifier } from '@openmydata/hub';

const root = resolve(import.meta.dirname, '../../..');

function run(env: Record<string, string>) {
  return spawn(process.execPath, ['--import', 'tsx', 'demo/src/mail/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

test('prints one ready line, receives mail, serves the outbox, stops on SIGTERM', async () => {
  const child = run({ HUB_PORT: '3000', MAIL_SMTP_PORT: '0', MAIL_OUTBOX_PORT: '0' });
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const { ready } = JSON.parse(line) as { ready: { smtp: string; outbox: string } };
    assert.match(ready.smtp, /^smtp:\/\/127\.0\.0\.1:\d+$/);
    assert.match(ready.outbox, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal((await fetch(new URL('/healthz', ready.outbox))).status, 200);

    const notifier = createSmtpNotifier({ url: ready.smtp, from: 'no-reply@openmydata.invalid' });
    const sent = await notifier.notify({
      to: 'citizen@example.test',
      lang: 'zh-TW',
      kind: 'download',
      at: new Date(),
      datasets: [
        { name: { 'zh-TW': '勞保投保資料', en: 'Labour insurance history' }, agency: { 'zh-TW': '勞動部勞工保險局', en: 'Bureau of Labor Insurance' } },
      ],
      historyUrl: 'http://localhost:3000/history',
    });
    assert.equal(sent, true);
    const { messages } = (await (await fetch(new URL('/api/messages', ready.outbox))).json()) as { messages: Array<{ to: string[] }> };
    assert.deepEqual(messages[0]?.to, ['citizen@example.test']);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
});

test('a bad port stops it with a clear message', async () => {
  const child = run({ HUB_PORT: '3000', MAIL_SMTP_PORT: 'twenty-five' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 78);
  assert.match(stderr, /MAIL_SMTP_PORT must be a port number/);
});
