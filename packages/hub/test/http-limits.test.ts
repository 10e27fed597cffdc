// Slow or vanishing clients cannot hold the hub: 200 sockets that send part of a request are cut
// off after the configured time limits while /healthz keeps answering, and a client that aborts an
// upload is logged as a client abort at debug level, not as an error with a stack.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestHub, type TestHub } from './helpers/hub.ts';

let t: TestHub;
let port = 0;
before(async () => {
  t = await startTestHub({ env: { HTTP_REQUEST_TIMEOUT_SECONDS: '3', HTTP_HEADERS_TIMEOUT_SECONDS: '2', HTTP_KEEP_ALIVE_SECONDS: '1' } });
  port = Number(new URL(t.url).port);
});
after(async () => t?.stop());

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

test('200 slow sockets are closed by the time limits, and /healthz answers meanwhile', async () => {
  const sockets: Socket[] = [];
  const closed: Array<Promise<void>> = [];
  for (let i = 0; i < 200; i++) {
    const socket = await open();
    socket.on('error', () => {});
    // Read what the hub says (a 408), so the socket's end is seen.
    socket.resume();
    closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    // Half send headers only, half headers and part of a body.
    socket.write(
      i % 2 === 0
        ? 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '
        : 'POST /login/x509 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\nabc',
    );
    sockets.push(socket);
  }
  for (let i = 0; i < 5; i++) {
    const started = Date.now();
    const health = await fetch(`${t.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(health.status, 200);
    // A hang detector, not a speed target: an answer at all while the slow sockets are open.
    assert.ok(Date.now() - started < 5_000);
  }
  const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000).unref());
  const result = await Promise.race([Promise.all(closed).then(() => 'closed' as const), deadline]);
  for (const socket of sockets) socket.destroy();
  assert.equal(result, 'closed', 'the hub closed every slow socket itself');
});

test('a client that aborts an upload is logged as a client abort, at debug level, without a stack', async () => {
  const from = t.logs().length;
  const fresh = () => t.logs().slice(from);
  const socket = await open();
  socket.on('error', () => {});
  socket.write('POST /login/x509 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n_csrf=abc&next=');
  // The request has reached the handler chain once its headers are parsed; the log says so.
  const deadline = Date.now() + 10_000;
  while (!fresh().includes('"url":"/login/x509"') && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  socket.destroy();
  const until = Date.now() + 10_000;
  while (!fresh().includes('client aborted the request') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const lines = fresh()
    .split('\n')
    .filter((l) => l.includes('/login/x509') || l.includes('client aborted'));
  assert.ok(fresh().includes('client aborted the request'), lines.join('\n'));
  assert.doesNotMatch(t.logs(), /unexpected error/);
  const aborted =
    fresh()
      .split('\n')
      .find((l) => l.includes('client aborted the request')) ?? '';
  assert.match(aborted, /"level":20/, 'debug level');
  assert.doesNotMatch(aborted, /"stack"/);
});

test('the SQLite database is readable by the hub user alone', { skip: Boolean(process.env.DATABASE_URL) }, () => {
  const mode = statSync(join(t.database.dataDir, 'hub.sqlite')).mode & 0o777;
  assert.equal(mode, 0o600);
  for (const suffix of ['-wal', '-shm']) {
    try {
      assert.equal(statSync(join(t.database.dataDir, `hub.sqlite${suffix}`)).mode & 0o777, 0o600, suffix);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
});
