// One exchange with an agency, as docs/provider-api.md sections 6 and 7 settle it: what counts as a
// Retry-After, and that an answer which breaks off is a transient fault (so the hub retries the
// transaction and the agency's re-delivery reaches it).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { requestPackage } from '../../src/broker/agency-client.ts';
import { parseRetryAfter } from '../../src/broker/retry-after.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-01T08:30:00Z');

  it('reads delay-seconds and the three HTTP-date formats', () => {
    assert.equal(parseRetryAfter('30', now), 30);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Sat, 01 Mar 2025 08:30:10 GMT', now), 10);
    assert.equal(parseRetryAfter('Saturday, 01-Mar-25 08:30:20 GMT', now), 20);
    assert.equal(parseRetryAfter('Sat Mar  1 08:30:40 2025', now), 40);
    assert.equal(parseRetryAfter('Sat, 01 Mar 2025 08:00:00 GMT', now), 0, 'a date in the past means now');
  });

  it('treats anything else as absent', () => {
    for (const value of [null, '', '1.5', '-1', '+5', '5s', 'soon', '2025-03-01T08:31:00Z', '1e3']) {
      assert.equal(parseRetryAfter(value, now), undefined, String(value));
    }
  });
});

describe('requestPackage', () => {
  it('calls a 200 whose body breaks off a failed connection (transient), not an unreadable answer', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': '1000' });
      res.write(Buffer.alloc(10));
      setImmediate(() => res.socket?.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const exchange = await requestPackage(`http://127.0.0.1:${port}`, 'token', { timeoutMs: 10_000, maxBytes: 65_536 });
      assert.deepEqual(exchange, { kind: 'unreachable' });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('hands on the Retry-After of a 202 and a 429 (busy, not preparing), and none when it is not RFC 9110', async () => {
    let value = '3';
    let status = 202;
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'retry-after': value }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const url = `http://127.0.0.1:${port}`;
      assert.deepEqual(await requestPackage(url, 'token', { timeoutMs: 10_000, maxBytes: 1024 }), { kind: 'preparing', retryAfterSeconds: 3 });
      value = '0.5';
      assert.deepEqual(await requestPackage(url, 'token', { timeoutMs: 10_000, maxBytes: 1024 }), { kind: 'preparing', retryAfterSeconds: undefined });
      status = 429;
      value = '2';
      assert.deepEqual(await requestPackage(url, 'token', { timeoutMs: 10_000, maxBytes: 1024 }), { kind: 'busy', retryAfterSeconds: 2 });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
