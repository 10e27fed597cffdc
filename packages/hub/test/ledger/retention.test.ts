// Retention: content older than the period (two years by default) is removed, leaf hashes stay,
// and every root, head and proof keeps verifying.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { retentionCutoff } from '../../src/ledger/retention.ts';
import { checkHistoryEntry } from '../../src/ledger/verify-history-entry.ts';
import { verifyLog } from '../../src/ledger/verify-log.ts';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/verify-proof.ts';
import { openTestLedger, sampleEntry, type TestLedger } from './fixtures/open-ledger.ts';

let clock = new Date('2023-03-01T08:00:00.000Z');
let t: TestLedger;
let subject: string;

before(async () => {
  t = await openTestLedger({ now: () => clock });
  subject = t.subjectKey('A123456789');
});
after(async () => t.close());

test('the default cutoff is two calendar years back', () => {
  assert.equal(retentionCutoff(new Date('2026-02-28T10:00:00.000Z')).toISOString(), '2024-02-28T10:00:00.000Z');
  assert.equal(retentionCutoff(new Date('2026-02-28T10:00:00.000Z'), 5).toISOString(), '2021-02-28T10:00:00.000Z');
});

test('old content goes, hashes stay, and every proof still verifies', async () => {
  await t.ledger.append(Array.from({ length: 21 }, (_, i) => sampleEntry(i, i % 3 === 0 ? subject : undefined)));
  const oldHead = await t.ledger.signNewTreeHead();
  const [exported] = await t.ledger.historyFor(subject);
  assert.ok(exported);

  clock = new Date('2025-05-01T08:00:00.000Z');
  await t.ledger.append(Array.from({ length: 16 }, (_, i) => sampleEntry(100 + i, i % 3 === 0 ? subject : undefined)));
  assert.equal((await t.ledger.historyFor(subject)).length, 7 + 6);

  const hashesBefore = await t.ledger.leafHashes(0, 37);
  assert.equal(await t.ledger.applyRetention(), 21, 'everything from before 2023-05-01');
  assert.equal(await t.ledger.applyRetention(), 0, 'idempotent');

  const rows = await t.db.selectFrom('ledger_entries').select(['idx', 'leaf', 'subject_key']).orderBy('idx').execute();
  assert.ok(
    rows.slice(0, 21).every((r) => r.leaf === null && r.subject_key === null),
    'old content and subject keys removed',
  );
  assert.ok(
    rows.slice(21).every((r) => r.leaf !== null),
    'newer entries untouched',
  );
  assert.deepEqual(await t.ledger.leafHashes(0, 37), hashesBefore, 'leaf hashes unchanged');

  const history = await t.ledger.historyFor(subject);
  assert.equal(history.length, 6, 'only entries that still have content');
  assert.ok(history.every((h) => h.index >= 21));

  const newHead = await t.ledger.currentTreeHead();
  assert.equal(newHead.treeSize, 37);
  const consistency = await t.ledger.consistencyProof(oldHead.treeSize, newHead.treeSize);
  assert.ok(verifyConsistency(oldHead.treeSize, newHead.treeSize, oldHead.rootHash, newHead.rootHash, consistency));
  for (const { index, leafHash } of hashesBefore) {
    const path = await t.ledger.inclusionProof(index, newHead.treeSize);
    assert.ok(verifyInclusion(index, newHead.treeSize, leafHash, path, newHead.rootHash), `entry ${index}`);
  }
  assert.deepEqual(
    (await checkHistoryEntry(exported)).filter((c) => !c.ok),
    [],
    'an entry exported before retention still verifies',
  );

  const report = await verifyLog(t.db);
  assert.deepEqual(report.problems, []);
  assert.equal(report.retained, 21);
});

test('an explicit cutoff removes exactly what is older', async () => {
  clock = new Date('2025-05-02T08:00:00.000Z');
  await t.ledger.append([sampleEntry(500, subject)]);
  assert.equal(await t.ledger.applyRetention(new Date('2025-05-01T08:00:00.001Z')), 16);
  assert.equal((await t.ledger.historyFor(subject)).length, 1);
  assert.deepEqual((await verifyLog(t.db)).problems, []);
});
