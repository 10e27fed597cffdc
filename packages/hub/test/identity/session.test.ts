import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkCsrf, csrfToken } from '../../src/identity/session/csrf.ts';
import { purgeStaleAttempts, takeAttempt } from '../../src/identity/session/rate-limit.ts';
import { bestLevel } from '../../src/identity/login-rules.ts';
import { IDLE_TIMEOUT_MS, LAST_SEEN_RESOLUTION_MS, SessionStore } from '../../src/identity/session/session-store.ts';
import type { Db } from '../../src/store/database.ts';
import { openTestDb } from '../helpers/open-db.ts';

let db: Db;
let close: () => Promise<void>;
let dataDir: string;
let engine: string;
before(async () => {
  const opened = await openTestDb();
  db = opened.db;
  close = opened.close;
  dataDir = opened.database.dataDir;
  engine = opened.database.engine;
});
after(async () => close());

test('a session round-trips its state through the sealed row', async () => {
  const store = new SessionStore(db);
  const { session, cookie } = await store.create();
  session.state.nationalId = 'A123456789';
  session.state.verifications.push({ method: 'x509', level: 1, at: new Date().toISOString(), reference: 'x509:ca:01' });
  await store.save(session, 'subject-key-hex');
  const loaded = await store.load(cookie);
  assert.equal(loaded?.state.nationalId, 'A123456789');
  assert.equal(bestLevel(loaded?.state ?? { verifications: [], pending: {}, selection: [] }), 1);
});

test('the database holds no national ID: the state is sealed under the cookie key', async () => {
  const store = new SessionStore(db);
  const { session } = await store.create();
  session.state.nationalId = 'F131104093';
  await store.save(session);
  const rows = await db.selectFrom('sessions').select(['sealed']).execute();
  assert.ok(!JSON.stringify(rows).includes('F131104093'));
  if (engine === 'sqlite') {
    const files = ['hub.sqlite', 'hub.sqlite-wal'].map((f) => join(dataDir, f));
    for (const file of files) {
      try {
        assert.equal(readFileSync(file).includes('F131104093'), false, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
});

test('forged, malformed or unknown cookies open nothing', async () => {
  const store = new SessionStore(db);
  const { cookie } = await store.create();
  const [id] = cookie.split('.');
  assert.equal(await store.load(`${id}.${Buffer.alloc(32, 1).toString('base64url')}`), undefined, 'right id, wrong key');
  assert.equal(await store.load('garbage'), undefined);
  assert.equal(await store.load(undefined), undefined);
  assert.equal(await store.load(`${Buffer.alloc(32, 2).toString('base64url')}.${Buffer.alloc(32, 3).toString('base64url')}`), undefined);
});

test('idle sessions expire after 20 minutes; activity keeps them alive', async () => {
  let now = new Date('2026-11-27T00:00:00Z');
  const store = new SessionStore(db, () => now);
  const { cookie } = await store.create();
  now = new Date(now.getTime() + IDLE_TIMEOUT_MS - 1000);
  assert.ok(await store.load(cookie), 'still alive just before the idle timeout');
  now = new Date(now.getTime() + IDLE_TIMEOUT_MS - 1000);
  assert.ok(await store.load(cookie), 'the last visit reset the clock');
  now = new Date(now.getTime() + IDLE_TIMEOUT_MS + 1000);
  assert.equal(await store.load(cookie), undefined, 'idle too long');
});

test('requests close together write last_seen_at once a minute, not on every poll', async () => {
  let now = new Date('2026-11-27T00:00:00Z');
  const store = new SessionStore(db, () => now);
  const { session, cookie } = await store.create();
  const lastSeen = async () =>
    (await db.selectFrom('sessions').select('last_seen_at').where('id_hash', '=', session.idHash).executeTakeFirstOrThrow()).last_seen_at;
  const created = await lastSeen();
  now = new Date(now.getTime() + LAST_SEEN_RESOLUTION_MS - 1000);
  assert.ok(await store.load(cookie));
  assert.equal(await lastSeen(), created, 'a poll within the minute writes nothing');
  now = new Date(now.getTime() + 2000);
  assert.ok(await store.load(cookie));
  assert.equal(await lastSeen(), now.toISOString(), 'a request after the minute records the visit');
  // The idle timeout still counts from the last recorded visit.
  now = new Date(now.getTime() + IDLE_TIMEOUT_MS + 1000);
  assert.equal(await store.load(cookie), undefined);
});

test('rotation after login invalidates the old cookie', async () => {
  const store = new SessionStore(db);
  const { session, cookie } = await store.create();
  session.state.selection = ['income'];
  const rotated = await store.rotate(session);
  assert.equal(await store.load(cookie), undefined);
  assert.deepEqual((await store.load(rotated.cookie))?.state.selection, ['income']);
});

test('CSRF tokens belong to one session', () => {
  const a = Buffer.alloc(32, 1);
  const b = Buffer.alloc(32, 2);
  assert.ok(checkCsrf(a, csrfToken(a)));
  assert.equal(checkCsrf(b, csrfToken(a)), false);
  assert.equal(checkCsrf(a, undefined), false);
  assert.equal(checkCsrf(a, ''), false);
  assert.equal(checkCsrf(a, 'x'.repeat(1000)), false);
});

test('rate limits count attempts per key and window, atomically', async () => {
  const limit = { max: 5, windowMs: 60_000 };
  const now = new Date('2026-11-27T01:00:00Z');
  const results = await Promise.all(Array.from({ length: 8 }, () => takeAttempt(db, 'login:ip-a', limit, now)));
  assert.equal(results.filter(Boolean).length, 5, 'exactly five of eight concurrent attempts pass');
  assert.equal(await takeAttempt(db, 'login:ip-b', limit, now), true, 'other keys are independent');
  assert.equal(await takeAttempt(db, 'login:ip-a', limit, new Date(now.getTime() + 61_000)), true, 'a new window starts over');
});

test('attempt counters older than a day are purged; recent ones stay', async () => {
  const limit = { max: 5, windowMs: 60_000 };
  const now = new Date('2026-03-02T12:00:00Z');
  await takeAttempt(db, 'purge:old', limit, new Date(now.getTime() - 25 * 3600_000));
  await takeAttempt(db, 'purge:recent', limit, new Date(now.getTime() - 3600_000));
  await purgeStaleAttempts(db, now);
  const keys = (await db.selectFrom('rate_limits').select('key').where('key', 'like', 'purge:%').execute()).map((r) => r.key);
  assert.deepEqual(keys, ['purge:recent']);
});
