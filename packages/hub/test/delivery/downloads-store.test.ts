import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { purgeExpiredDownloads, storeDownload, takeDownload } from '../../src/delivery/download/downloads.ts';
import type { Db } from '../../src/store/database.ts';
import { openTestDb } from '../helpers/open-db.ts';

let db: Db;
let close: () => Promise<void>;
before(async () => {
  ({ db, close } = await openTestDb());
});
after(async () => close());

const input = { subjectKey: 'a'.repeat(64), consentId: 'c1', ciphertext: new Uint8Array([1, 2, 3]), ttlMs: 60_000 };

test('a link works once, even when two take it at the same time', async () => {
  const stored = await storeDownload(db, input);
  const results = await Promise.all([takeDownload(db, stored.token), takeDownload(db, stored.token)]);
  assert.equal(results.filter(Boolean).length, 1);
  assert.equal(await takeDownload(db, stored.token), undefined);
});

test('only the token hash is stored, and expired packages are purged', async () => {
  const stored = await storeDownload(db, input, new Date(Date.now() - 120_000));
  const rows = await db.selectFrom('downloads').select(['token_hash']).execute();
  assert.ok(rows.every((r) => r.token_hash !== stored.token));
  assert.equal(await takeDownload(db, stored.token), undefined, 'an expired link gives nothing');
  const fresh = await storeDownload(db, input);
  await storeDownload(db, input, new Date(Date.now() - 120_000));
  assert.equal(await purgeExpiredDownloads(db), 1);
  assert.ok(await takeDownload(db, fresh.token), 'unexpired packages stay');
});

test('malformed tokens are refused without a query', async () => {
  assert.equal(await takeDownload(db, '../../etc'), undefined);
  assert.equal(await takeDownload(db, ''), undefined);
});
