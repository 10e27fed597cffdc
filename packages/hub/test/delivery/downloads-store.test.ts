import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { downloadToken, purgeExpiredDownloads, storeDownload, takeDownload } from '../../src/delivery/download/downloads.ts';
import type { Db } from '../../src/store/database.ts';
import { openTestDb } from '../helpers/open-db.ts';

let db: Db;
let close: () => Promise<void>;
before(async () => {
  ({ db, close } = await openTestDb());
});
after(async () => close());

const OWNER = 'a'.repeat(64);
const STRANGER = 'b'.repeat(64);
let n = 0;
function fresh() {
  const token = downloadToken(randomBytes(32), `retrieval-${n++}`);
  return { token, input: { token, subjectKey: OWNER, consentId: 'c1', ciphertext: new Uint8Array([1, 2, 3]), ttlMs: 60_000 } };
}

test('a link works once, even when two take it at the same time', async () => {
  const { token, input } = fresh();
  await storeDownload(db, input);
  const results = await Promise.all([takeDownload(db, token, OWNER), takeDownload(db, token, OWNER)]);
  assert.equal(results.filter(Boolean).length, 1);
  assert.equal(await takeDownload(db, token, OWNER), undefined);
});

test("another person's session neither gets the download nor spends the link", async () => {
  const { token, input } = fresh();
  await storeDownload(db, input);
  assert.equal(await takeDownload(db, token, STRANGER), undefined);
  assert.ok(await takeDownload(db, token, OWNER), 'the owner still gets it');
});

test('only the token hash is stored, and expired packages are purged', async () => {
  const old = fresh();
  await storeDownload(db, old.input, new Date(Date.now() - 120_000));
  const rows = await db.selectFrom('downloads').select(['token_hash']).execute();
  assert.ok(rows.every((r) => r.token_hash !== old.token));
  assert.equal(await takeDownload(db, old.token, OWNER), undefined, 'an expired link gives nothing');
  const kept = fresh();
  await storeDownload(db, kept.input);
  await storeDownload(db, fresh().input, new Date(Date.now() - 120_000));
  assert.equal(await purgeExpiredDownloads(db), 2);
  assert.ok(await takeDownload(db, kept.token, OWNER), 'unexpired packages stay');
});

test('malformed tokens are refused without a query', async () => {
  assert.equal(await takeDownload(db, '../../etc', OWNER), undefined);
  assert.equal(await takeDownload(db, '', OWNER), undefined);
});
