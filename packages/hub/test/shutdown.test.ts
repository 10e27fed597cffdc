// Graceful shutdown: a request in flight when close() starts still gets its answer; then the port
// and the database are closed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { createHub } from '../src/hub.ts';
import { pingDatabase } from '../src/store/database.ts';
import { createTestDatabase } from './helpers/database.ts';
import { captureLogs } from './helpers/log-capture.ts';

test('in-flight requests finish, then the server and database close', async () => {
  const database = await createTestDatabase();
  try {
    const env: Record<string, string> = { HUB_PORT: '0', DATA_DIR: database.dataDir };
    if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
    const hub = await createHub(loadConfig(env), { logger: captureLogs().logger });
    // The handler says when it has the request: a fixed wait raced the request on a slow machine, and
    // a request that arrives after close() starts is rightly answered 503.
    let arrived!: () => void;
    const requestArrived = new Promise<void>((r) => {
      arrived = r;
    });
    hub.app.get('/test/slow', { schema: { hide: true } }, async () => {
      arrived();
      await new Promise((r) => setTimeout(r, 400));
      return { finished: true };
    });
    const url = await hub.listen();
    const inFlight = fetch(`${url}/test/slow`);
    await requestArrived;
    const closeStarted = Date.now();
    const closing = hub.close();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { finished: true });
    await closing;
    // A busy keep-alive connection must not hold shutdown for the keep-alive timeout (72 s).
    assert.ok(Date.now() - closeStarted < 5000, `close took ${Date.now() - closeStarted} ms`);
    await assert.rejects(fetch(`${url}/healthz`), 'the port is closed');
    await assert.rejects(pingDatabase(hub.db), 'the database is closed');
  } finally {
    await database.cleanup();
  }
});
