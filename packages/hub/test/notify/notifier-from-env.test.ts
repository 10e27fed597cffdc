import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/config.ts';
import { createSmtpNotifier, notifierFromEnv, parseSmtpUrl } from '../../src/notify/index.ts';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('without SMTP_URL notices are off and nothing fails', async () => {
  for (const env of [{}, { SMTP_URL: '' }, { SMTP_URL: '', MAIL_FROM: '' }]) {
    const notifier = notifierFromEnv(env);
    assert.equal(
      await notifier.notify({
        to: 'citizen@example.test',
        lang: 'en',
        kind: 'download',
        at: new Date(),
        datasets: [],
        historyUrl: 'https://hub.example.org/history',
      }),
      false,
    );
  }
});

test('a usable SMTP_URL and MAIL_FROM give an SMTP notifier', () => {
  for (const env of [
    { SMTP_URL: 'smtp://127.0.0.1:2525' },
    { SMTP_URL: 'smtp://localhost:2525/' },
    { SMTP_URL: 'smtps://mail.example.org', MAIL_FROM: 'no-reply@example.org' },
    { SMTP_URL: 'smtp://user%40example.org:p%40ss@mail.example.org:587', MAIL_FROM: '"OpenMyData 平臺" <no-reply@example.org>' },
    { SMTP_URL: 'smtp://[::1]:2525' },
  ]) {
    assert.equal(typeof notifierFromEnv(env).notify, 'function');
  }
});

test('a bad SMTP_URL stops start-up naming the variable, without echoing a password', () => {
  for (const url of [
    'not a url',
    'http://mail.example.org',
    'smtp://',
    'smtp://mail.example.org:0',
    'smtp://mail.example.org:99999',
    'smtp://mail.example.org/path',
    'smtp://mail.example.org?tls.rejectUnauthorized=false',
    'smtp://user@mail.example.org',
    'smtp://:hunter2secret@mail.example.org',
  ]) {
    const problems = problemsOf(() => notifierFromEnv({ SMTP_URL: url }));
    assert.equal(problems.length, 1, url);
    assert.match(problems[0] ?? '', /^SMTP_URL: /, url);
    assert.equal((problems[0] ?? '').includes('hunter2secret'), false);
  }
});

test('a bad MAIL_FROM stops start-up even while mail is off', () => {
  assert.deepEqual(
    problemsOf(() => notifierFromEnv({ MAIL_FROM: 'OpenMyData' })).map((p) => p.split(':')[0]),
    ['MAIL_FROM'],
  );
  assert.deepEqual(
    problemsOf(() => notifierFromEnv({ SMTP_URL: 'ftp://x', MAIL_FROM: 'Evil\r\nBcc: a@example.org <a@example.org>' })).map((p) => p.split(':')[0]),
    ['SMTP_URL', 'MAIL_FROM'],
  );
  assert.throws(() => createSmtpNotifier({ url: 'smtp://127.0.0.1:2525', from: 'nobody' }), ConfigError);
});

test('STARTTLS is opportunistic on plain smtp, required once a password is involved off the loopback', () => {
  const plain = parseSmtpUrl('smtp://mail.example.org:25');
  assert.ok('options' in plain);
  assert.equal(plain.options.secure, false);
  assert.equal(plain.options.requireTLS, false);
  assert.equal(plain.options.ignoreTLS, undefined);
  assert.equal(plain.options.auth, undefined);

  const withPassword = parseSmtpUrl('smtp://user:secret@mail.example.org:587');
  assert.ok('options' in withPassword);
  assert.equal(withPassword.options.requireTLS, true);
  assert.deepEqual(withPassword.options.auth, { user: 'user', pass: 'secret' });

  const loopback = parseSmtpUrl('smtp://user:secret@127.0.0.1:2525');
  assert.ok('options' in loopback);
  assert.equal(loopback.options.requireTLS, false);

  const implicit = parseSmtpUrl('smtps://mail.example.org');
  assert.ok('options' in implicit);
  assert.equal(implicit.options.secure, true);
  assert.equal(implicit.options.port, 465);
  assert.equal(implicit.options.tls, undefined, 'certificates are always verified');
});
