// Signed tree heads: one per tree size, in order, timestamps that never go back, made on demand
// and by the timer while entries arrive.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyTreeHead } from '../../src/ledger/tree-head.ts';
import { openTestLedger, sampleEntry, type TestLedger } from './fixtures/open-ledger.ts';

let clock = Date.parse('2026-01-01T00:00:00.000Z');
let t: TestLedger;
before(async () => {
  t = await openTestLedger({ now: () => new Date(clock), treeHeadIntervalMs: 40 });
});
after(async () => t.close());

test('concurrent requests for a head agree on one head per size', async () => {
  await t.ledger.append([sampleEntry(0), sampleEntry(1)]);
  const heads = await Promise.all(Array.from({ length: 8 }, () => t.ledger.currentTreeHead()));
  assert.ok(heads.every((h) => h.treeSize === 2 && h.signature === heads[0]?.signature));
  const rows = await t.db.selectFrom('ledger_tree_heads').selectAll().execute();
  assert.equal(rows.length, 1);
  const [key] = await t.ledger.publicKeys();
  assert.ok(key && heads[0] && (await verifyTreeHead(heads[0], key)));
});

test('a head never carries an earlier time than the one before it', async () => {
  const before = await t.ledger.currentTreeHead();
  clock -= 60_000; // this hub's clock is behind
  await t.ledger.append([sampleEntry(2)]);
  const after = await t.ledger.currentTreeHead();
  assert.equal(after.treeSize, 3);
  assert.equal(after.timestamp, before.timestamp);
  clock += 120_000;
});

test('the timer signs while entries arrive, and stops', async () => {
  t.ledger.startTreeHeadTimer();
  await t.ledger.append([sampleEntry(3), sampleEntry(4)]);
  const deadline = Date.now() + 10_000; // a loaded machine may take a while to run the timer
  while (Date.now() < deadline && (await t.ledger.latestTreeHead())?.treeSize !== 5) await sleep(20);
  assert.equal((await t.ledger.latestTreeHead())?.treeSize, 5);
  await t.ledger.stopTreeHeadTimer(); // waits for a signing under way, so none follows
  await t.ledger.append([sampleEntry(5)]);
  await sleep(150);
  assert.equal((await t.ledger.latestTreeHead())?.treeSize, 5, 'no heads after stop');
});

test('the timer makes no head for an empty log and none when nothing arrived', async () => {
  const empty = await openTestLedger({ treeHeadIntervalMs: 20 });
  try {
    empty.ledger.startTreeHeadTimer();
    await sleep(120);
    assert.equal(await empty.ledger.latestTreeHead(), undefined);
    assert.deepEqual(await empty.ledger.publicKeys(), [], 'no key made for nothing');
  } finally {
    await empty.close();
  }
});
