// Signed tree heads: one per tree size, in order, timestamps that never go back, made on demand
// and by the timer while entries arrive.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Ticker } from '../../src/ledger/tree-head-timer.ts';
import { verifyTreeHead } from '../../src/ledger/tree-head.ts';
import { openTestLedger, sampleEntry, type TestLedger } from './fixtures/open-ledger.ts';

/** A ticker the test fires by hand: each fire() resolves once that tick's signing has finished. */
function handTicker() {
  let tick: (() => Promise<void>) | undefined;
  let cancelled = false;
  const ticker: Ticker = (t) => {
    tick = t;
    return {
      cancel: () => {
        cancelled = true;
      },
    };
  };
  return {
    ticker,
    fire: () => (tick ? tick() : Promise.resolve()),
    get cancelled() {
      return cancelled;
    },
  };
}

let clock = Date.parse('2026-01-01T00:00:00.000Z');
const hand = handTicker();
let t: TestLedger;
before(async () => {
  t = await openTestLedger({ now: () => new Date(clock), treeHeadTicker: hand.ticker });
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

test('the timer signs while entries arrive; stopping waits for a signing under way and ends the ticks', async () => {
  t.ledger.startTreeHeadTimer();
  await t.ledger.append([sampleEntry(3), sampleEntry(4)]);
  await hand.fire();
  assert.equal((await t.ledger.latestTreeHead())?.treeSize, 5);
  await t.ledger.append([sampleEntry(5)]);
  const underWay = hand.fire();
  await t.ledger.stopTreeHeadTimer();
  assert.equal((await t.ledger.latestTreeHead())?.treeSize, 6, 'the signing under way finished before stop returned');
  await underWay;
  assert.ok(hand.cancelled, 'the ticker was cancelled');
  await t.ledger.append([sampleEntry(6)]);
  await hand.fire();
  assert.equal((await t.ledger.latestTreeHead())?.treeSize, 6, 'a tick after stop signs nothing');
});

test('the timer makes no head for an empty log and none when nothing arrived', async () => {
  const own = handTicker();
  const empty = await openTestLedger({ treeHeadTicker: own.ticker });
  try {
    empty.ledger.startTreeHeadTimer();
    await own.fire();
    await own.fire();
    assert.equal(await empty.ledger.latestTreeHead(), undefined);
    assert.deepEqual(await empty.ledger.publicKeys(), [], 'no key made for nothing');
  } finally {
    await empty.close();
  }
});

test('the interval ticker ticks until cancelled', async () => {
  const { intervalTicker } = await import('../../src/ledger/tree-head-timer.ts');
  let ticks = 0;
  let third!: () => void;
  const reached = new Promise<void>((resolve) => {
    third = resolve;
  });
  const handle = intervalTicker(5)(async () => {
    ticks += 1;
    if (ticks === 3) third();
  });
  // The ticker does not keep the process alive (a hub must be able to exit), so this test does.
  const alive = setTimeout(() => {}, 30_000);
  await reached;
  clearTimeout(alive);
  handle.cancel();
  assert.ok(ticks >= 3);
});
