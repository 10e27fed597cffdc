import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet } from 'jose';
import { newTransactionId, PACKAGE_PATHS, verifyPackage, type PackageData } from '@openmydata/protocol';
import { householdDataset, OTHER_SUBJECT, readProblem, startHarness, SUBJECT, testClock, type Harness, type TokenInput } from './fixtures.ts';

/** Polls with fresh tokens for the same transaction until the answer is no longer 202 (for up to 20 s:
 * the first package renders a PDF with the CJK font, slow on a loaded machine). */
async function collect(h: Harness, input: TokenInput): Promise<Response> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const response = await h.post(await h.hub.sign(input));
    if (response.status !== 202) return response;
    await response.arrayBuffer();
    await sleep(100);
  }
  throw new Error('still preparing after 20 s');
}

describe('asynchronous preparation', () => {
  let h: Harness;
  let fetches = 0;
  // The agency's work can be held back, so "not ready yet" does not depend on timing.
  let release: () => void = () => {};
  let gate: Promise<void> = Promise.resolve();
  before(async () => {
    h = await startHarness({
      datasets: [
        householdDataset(),
        householdDataset({
          id: 'slow',
          preparationSeconds: 0.2,
          fetch: async (subject) => {
            fetches++;
            await gate;
            return subject === SUBJECT ? { records: [{ name: '慢速資料', members: 1 }] } : null;
          },
        }),
        householdDataset({
          id: 'slow-broken',
          preparationSeconds: 0.2,
          fetch: (subject) => {
            throw new Error(`no archive for ${subject}`);
          },
        }),
      ],
    });
  });
  after(() => h.close());

  it('answers 202 + Retry-After, then 202 until ready, then 200; a retry of the transaction gets the same bytes', async () => {
    const transactionId = newTransactionId();
    const before = fetches;
    gate = new Promise((resolve) => {
      release = resolve;
    });
    const first = await h.post(await h.hub.sign({ dataset: 'slow', transactionId }));
    assert.equal(first.status, 202);
    assert.equal(first.headers.get('retry-after'), '1');
    assert.deepEqual(await first.json(), { status: 'preparing', retry_after: 1 });

    const early = await h.post(await h.hub.sign({ dataset: 'slow', transactionId }));
    assert.equal(early.status, 202, 'not ready while the agency is still working');
    assert.equal(early.headers.get('retry-after'), '1');
    await early.arrayBuffer();

    release();
    const ready = await collect(h, { dataset: 'slow', transactionId });
    assert.equal(ready.status, 200);
    const zip = Buffer.from(await ready.arrayBuffer());
    const verified = await verifyPackage(zip, {
      keys: createLocalJWKSet(h.provider.keyRing.jwks()),
      expect: { dataset: 'slow', transactionId },
    });
    const data = JSON.parse((verified.files.get(PACKAGE_PATHS.data) as Buffer).toString('utf8')) as PackageData;
    assert.deepEqual(data.records, [{ name: '慢速資料', members: 1 }]);
    assert.equal(fetches - before, 1, 'the agency fetched once for the whole transaction');

    // The hub retries when it did not get the answer: within the re-delivery window it gets the same package, no new work.
    const again = await h.post(await h.hub.sign({ dataset: 'slow', transactionId }));
    assert.equal(again.status, 200);
    assert.deepEqual(Buffer.from(await again.arrayBuffer()), zip);
    assert.equal(fetches - before, 1);
    assert.ok(h.logs.some((l) => (l.obj as { prepared?: string }).prepared === 'redelivered'));
  });

  it('answers 204 when the prepared result is null, and 204 again to a retry', async () => {
    const transactionId = newTransactionId();
    assert.equal((await h.post(await h.hub.sign({ dataset: 'slow', subject: OTHER_SUBJECT, transactionId }))).status, 202);
    assert.equal((await collect(h, { dataset: 'slow', subject: OTHER_SUBJECT, transactionId })).status, 204);
    assert.equal((await h.post(await h.hub.sign({ dataset: 'slow', subject: OTHER_SUBJECT, transactionId }))).status, 204);
  });

  it('answers 409 transaction_mismatch when a follow-up names another subject, data set or consent', async () => {
    const transactionId = newTransactionId();
    assert.equal((await h.post(await h.hub.sign({ dataset: 'slow', transactionId, consentId: 'consent-a' }))).status, 202);
    for (const changed of [{ subject: OTHER_SUBJECT }, { consentId: 'consent-b' }, { dataset: 'household' }, { dataset: 'slow-broken' }]) {
      const response = await h.post(await h.hub.sign({ dataset: 'slow', transactionId, consentId: 'consent-a', ...changed }));
      assert.equal(response.status, 409, JSON.stringify(changed));
      const { problem, text } = await readProblem(response);
      assert.equal(problem.code, 'transaction_mismatch');
      assert.equal(text.includes(OTHER_SUBJECT) || text.includes(SUBJECT), false);
    }
    // The mismatches did not disturb the preparation: the rightful follow-up still gets the package.
    assert.equal((await collect(h, { dataset: 'slow', transactionId, consentId: 'consent-a' })).status, 200);
  });

  it('answers 500 internal_error when the preparation failed, logging it without the subject', async () => {
    const transactionId = newTransactionId();
    assert.equal((await h.post(await h.hub.sign({ dataset: 'slow-broken', transactionId }))).status, 202);
    const response = await collect(h, { dataset: 'slow-broken', transactionId });
    assert.equal(response.status, 500);
    const { text } = await readProblem(response);
    assert.equal(text.includes('archive'), false);
    const logged = JSON.stringify(h.logs.filter((l) => l.level === 'error'));
    assert.match(logged, /no archive for \[subject\]/);
    assert.equal(logged.includes(SUBJECT), false);
  });
});

describe('prepared packages expire', () => {
  it('drops a prepared package not collected within maxPreparedAgeSeconds, and a collected one after the re-delivery window', async () => {
    const clock = testClock(new Date('2025-06-02T03:00:00Z'));
    let fetches = 0;
    const settled: string[] = [];
    let workDone!: () => void;
    const firstDone = new Promise<void>((resolve) => {
      workDone = resolve;
    });
    const h = await startHarness({
      now: clock.now,
      maxPreparedAgeSeconds: 60,
      onPreparationSettled: (info) => {
        settled.push(`${info.dataset}:${info.outcome}`);
        workDone();
      },
      redeliverySeconds: 20,
      datasets: [
        householdDataset({
          id: 'slow',
          preparationSeconds: 1,
          fetch: () => {
            fetches++;
            return { records: [{ name: '逾期' }] };
          },
        }),
      ],
    });
    try {
      const transactionId = newTransactionId();
      assert.equal((await h.post(await h.hub.sign({ dataset: 'slow', transactionId, now: clock.now() }))).status, 202);
      await firstDone;
      assert.deepEqual(settled, ['slow:package'], 'the agency is told, without the subject');
      const early = await h.post(await h.hub.sign({ dataset: 'slow', transactionId, now: clock.now() }));
      assert.equal(early.status, 202, 'work done, but not handed out before preparationSeconds have passed');
      await early.arrayBuffer();
      clock.advance(30);
      const ready = await collect(h, { dataset: 'slow', transactionId, now: clock.now() });
      assert.equal(ready.status, 200, 'ready after preparationSeconds by the injected clock');
      await ready.arrayBuffer();
      clock.advance(19);
      const retried = await h.post(await h.hub.sign({ dataset: 'slow', transactionId, now: clock.now() }));
      assert.equal(retried.status, 200, 'handed out again within the re-delivery window');
      await retried.arrayBuffer();
      clock.advance(1);
      const forgotten = await h.post(await h.hub.sign({ dataset: 'slow', transactionId, now: clock.now() }));
      assert.equal(forgotten.status, 202, 'after the window the transaction is forgotten: the work starts again');
      await forgotten.arrayBuffer();

      const other = newTransactionId();
      assert.equal((await h.post(await h.hub.sign({ dataset: 'slow', transactionId: other, now: clock.now() }))).status, 202);
      clock.advance(61);
      const late = await h.post(await h.hub.sign({ dataset: 'slow', transactionId: other, now: clock.now() }));
      assert.equal(late.status, 202, 'the uncollected package was dropped, so this starts over');
      assert.equal(fetches, 4);
    } finally {
      await h.close();
    }
  });
});
