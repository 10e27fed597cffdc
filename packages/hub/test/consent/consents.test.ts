import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { consumeConsent, findConsent, insertConsent, revokeConsent, unusedConsents } from '../../src/consent/consent-repository.ts';
import type { Db } from '../../src/store/database.ts';
import { openTestDb } from '../helpers/open-db.ts';

let db: Db;
let close: () => Promise<void>;
before(async () => {
  ({ db, close } = await openTestDb());
});
after(async () => close());

const input = {
  subjectKey: 'k1',
  datasets: ['income', 'income', 'vehicles'],
  recipient: { kind: 'self' as const, id: 'self' },
  purpose: 'download',
  validForMs: 60_000,
};

test('a consent is granted once per data set and listed while unused', async () => {
  const consent = await insertConsent(db, input);
  assert.deepEqual(consent.datasets, ['income', 'vehicles']);
  assert.ok((await unusedConsents(db, 'k1')).some((c) => c.id === consent.id));
});

test('two concurrent uses: exactly one wins; a second use later fails', async () => {
  const consent = await insertConsent(db, input);
  const results = await Promise.all([consumeConsent(db, consent.id), consumeConsent(db, consent.id), consumeConsent(db, consent.id)]);
  assert.equal(results.filter(Boolean).length, 1);
  assert.equal(await consumeConsent(db, consent.id), undefined);
  assert.equal((await findConsent(db, consent.id))?.status, 'used');
  assert.ok(!(await unusedConsents(db, 'k1')).some((c) => c.id === consent.id));
});

test('revocable until used, only by its subject; a revoked consent cannot be used', async () => {
  const consent = await insertConsent(db, input);
  assert.equal(await revokeConsent(db, consent.id, 'someone-else'), false);
  assert.equal(await revokeConsent(db, consent.id, 'k1'), true);
  assert.equal(await consumeConsent(db, consent.id), undefined);
  assert.equal(await revokeConsent(db, consent.id, 'k1'), false, 'already revoked');
  const used = await insertConsent(db, input);
  await consumeConsent(db, used.id);
  assert.equal(await revokeConsent(db, used.id, 'k1'), false, 'used consents cannot be revoked');
});

test('an expired consent can be neither used nor revoked', async () => {
  const past = new Date(Date.now() - 120_000);
  const consent = await insertConsent(db, input, past);
  assert.equal(await consumeConsent(db, consent.id), undefined);
  assert.equal(await revokeConsent(db, consent.id, 'k1'), false);
});
