// Group commit: many callers at once share transactions, yet each gets its own entries in the order
// it called, a caller's failure rolls back only its own rows, and a refused entry refuses only its
// own call.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findConsent, insertConsent } from '../../src/consent/consent-repository.ts';
import { LedgerEntryError } from '../../src/ledger/entry.ts';
import { verifyInclusion } from '../../src/ledger/verify-proof.ts';
import { openTestLedger, sampleEntry, type TestLedger } from './fixtures/open-ledger.ts';

let t: TestLedger;
before(async () => {
  t = await openTestLedger();
});
after(async () => t?.close());

test('100 callers at once: consecutive indices in the order they called, every one provable', async () => {
  const start = await t.ledger.size();
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => t.ledger.append([sampleEntry(i)])));
  assert.deepEqual(
    results.map((r) => r[0]?.index),
    Array.from({ length: 100 }, (_, i) => start + i),
  );
  const head = await t.ledger.currentTreeHead();
  for (const i of [0, 37, 99]) {
    const appended = results[i]?.[0];
    assert.ok(appended);
    const path = await t.ledger.inclusionProof(appended.index, head.treeSize);
    assert.ok(verifyInclusion(appended.index, head.treeSize, appended.leafHash, path, head.rootHash));
  }
});

test("one caller's failure rolls back its own rows only; the others commit", async () => {
  const start = await t.ledger.size();
  const ids: string[] = [];
  const calls = Array.from({ length: 6 }, (_, i) =>
    t.ledger.commit(async (trx) => {
      const consent = await insertConsent(trx, {
        subjectKey: 'a'.repeat(64),
        datasets: ['x'],
        recipient: { kind: 'self', id: 'self' },
        purpose: 'p',
        validForMs: 60_000,
      });
      ids[i] = consent.id;
      if (i === 3) throw new Error('this caller fails after writing');
      return { entries: [sampleEntry(i)], value: i };
    }),
  );
  const settled = await Promise.allSettled(calls);
  assert.deepEqual(
    settled.map((s) => s.status),
    ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
  );
  assert.equal(await t.ledger.size(), start + 5);
  for (const [i, id] of ids.entries()) assert.equal((await findConsent(t.db, id as string)) !== undefined, i !== 3, `consent ${i}`);
});

test('a refused entry refuses its own call before anything is written; calls beside it commit', async () => {
  const start = await t.ledger.size();
  const bad = { ...sampleEntry(1), purpose: 'for A123456789' };
  const settled = await Promise.allSettled([t.ledger.append([sampleEntry(2)]), t.ledger.append([sampleEntry(3), bad]), t.ledger.append([sampleEntry(4)])]);
  assert.equal(settled[1]?.status, 'rejected');
  assert.ok(settled[1]?.status === 'rejected' && settled[1].reason instanceof LedgerEntryError);
  assert.equal(await t.ledger.size(), start + 2);
});
