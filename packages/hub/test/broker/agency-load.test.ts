// The broker under load, over real HTTP against agencies the tests hold and release: at most N
// exchanges in flight per agency with the rest queued in order, 429 + Retry-After honoured, a breaker
// that never counts the hub's own queueing or an agency's shedding, and the flow's deadline kept.
import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createProvider } from '@openmydata/provider-sdk';
import type { DatasetOutcome } from '../../src/broker/outcome.ts';
import { FAILURE_MESSAGES } from '../../src/broker/outcome.ts';
import { closeAfterAll } from '../helpers/close-after-all.ts';
import { consumedConsent } from '../helpers/consent.ts';
import { type Answer, type FakeAgency, goodPackage, type RequestInfo, startFakeAgency, zipAnswer } from '../helpers/fake-agency.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { testRegistry } from '../helpers/registry.ts';

const SUBJECT = 'A123456789';
const closeAfter = closeAfterAll();

/** An agency whose answers wait until the test releases them; it counts what it has in hand at once. */
class HeldAgency {
  readonly held: Array<{ info: RequestInfo; answer: (a: Answer) => void }> = [];
  readonly arrivals: Array<{ consent: string; txn: string; at: number; status?: number }> = [];
  inHand = 0;
  mostInHand = 0;
  private changed: () => void = () => {};

  constructor(
    readonly agency: FakeAgency,
    /** Answer now instead of holding (e.g. 429 when too many are in hand); undefined: hold. */
    private readonly decide: (inHand: number) => Answer | undefined = () => undefined,
  ) {
    agency.behave((info) => {
      const arrival = { consent: info.claims.consent_id, txn: info.claims.txn, at: Date.now() } as HeldAgency['arrivals'][number];
      this.arrivals.push(arrival);
      const now = this.decide(this.inHand);
      if (now) {
        if (now !== 'hang' && now !== 'reset') arrival.status = now.status;
        this.changed();
        return now;
      }
      this.inHand += 1;
      this.mostInHand = Math.max(this.mostInHand, this.inHand);
      return new Promise<Answer>((resolve) => {
        this.held.push({
          info,
          answer: (a) => {
            this.inHand -= 1;
            resolve(a);
          },
        });
        this.changed();
      });
    });
  }

  /** Resolves when the condition holds, re-checked whenever a request arrives. */
  until(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.changed = () => {
        if (condition()) resolve();
      };
      this.changed();
    });
  }

  /** Answers the oldest held request with a good package. */
  async releaseNext(): Promise<void> {
    const next = this.held.shift();
    assert.ok(next, 'a request is held');
    next.answer(zipAnswer(await goodPackage(this.agency, next.info)));
  }
}

async function hubFor(agency: FakeAgency, env: Record<string, string>): Promise<TestHub> {
  const t = await startTestHub({
    registry: testRegistry([{ id: agency.id, baseUrl: agency.url, datasets: ['ds-one'] }]),
    env: { BROKER_MAX_PACKAGE_BYTES: '65536', ...env },
  });
  closeAfter(() => t.stop());
  return t;
}

async function agencyNamed(id: string): Promise<FakeAgency> {
  const agency = await startFakeAgency(id);
  closeAfter(() => agency.close());
  return agency;
}

async function startFetch(t: TestHub, purpose: string): Promise<{ consentId: string; outcome: Promise<DatasetOutcome> }> {
  const consent = await consumedConsent(t.hub, SUBJECT, ['ds-one'], purpose);
  const outcome = t.hub.broker.fetchAll({ consent, nationalId: SUBJECT }).then(([o]) => {
    assert.ok(o);
    return o;
  });
  return { consentId: consent.id, outcome };
}

/** Waits for the broker's own count of an agency's load (it has no event to wait on). */
async function brokerLoad(t: TestHub, agency: string, condition: (load: { inFlight: number; queued: number }) => boolean): Promise<void> {
  while (!condition(t.hub.broker.agencyLoad(agency))) await new Promise((resolve) => setImmediate(resolve));
}

function show(outcome: DatasetOutcome): string {
  return JSON.stringify({ ...outcome, archive: undefined, package: undefined });
}

test('a queue per agency: at most N in flight, the rest wait and are sent in the order they came', async () => {
  const held = new HeldAgency(await agencyNamed('queued'));
  const t = await hubFor(held.agency, { BROKER_AGENCY_CONCURRENCY: '2' });
  const fetches: Array<{ consentId: string; outcome: Promise<DatasetOutcome> }> = [];
  for (let i = 0; i < 6; i++) {
    fetches.push(await startFetch(t, `p${i}`));
    // The next fetch starts only once this one has a slot or a place in the queue: a known order.
    await brokerLoad(t, 'queued', (load) => load.inFlight + load.queued === i + 1);
  }
  await held.until(() => held.held.length === 2);
  assert.deepEqual(t.hub.broker.agencyLoad('queued'), { inFlight: 2, queued: 4 });
  assert.equal(held.agency.requests, 2, 'the queued requests have not reached the agency');
  for (let released = 0; released < 6; released++) {
    await held.until(() => held.held.length > 0);
    await held.releaseNext();
    // The freed slot goes to the next in the queue; let its request arrive before freeing another,
    // so the order the agency sees is the order the queue gave out its slots.
    if (released < 4) await held.until(() => held.arrivals.length === 3 + released);
  }
  const outcomes = await Promise.all(fetches.map((f) => f.outcome));
  for (const outcome of outcomes) assert.equal(outcome.status, 'ok', show(outcome));
  const order = held.arrivals.map((a) => a.consent);
  const ids = fetches.map((f) => f.consentId);
  // The first two had slots at once and raced each other there; the queued four kept their order.
  assert.deepEqual(new Set(order.slice(0, 2)), new Set(ids.slice(0, 2)));
  assert.deepEqual(order.slice(2), ids.slice(2), 'the queue was served in the order it was joined');
  assert.equal(held.mostInHand, 2, 'the agency never had more than 2 at once');
  assert.deepEqual(t.hub.broker.agencyLoad('queued'), { inFlight: 0, queued: 0 });
  assert.equal(t.hub.broker.breakerState('queued'), 'closed');
});

test('the breaker stays closed and nothing times out while requests wait longer than the timeout in the hub’s queue', async () => {
  // One at a time, each answered after 400 ms of the agency's work: the last waits in the hub's
  // queue for well over BROKER_TIMEOUT_SECONDS, yet its exchange, timed from its slot, is quick.
  const held = new HeldAgency(await agencyNamed('patient'));
  const t = await hubFor(held.agency, { BROKER_AGENCY_CONCURRENCY: '1', BROKER_TIMEOUT_SECONDS: '2', BROKER_MAX_ATTEMPTS: '1' });
  const fetches = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => startFetch(t, `p${i}`)));
  for (let released = 0; released < fetches.length; released++) {
    await held.until(() => held.held.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 400)); // the agency's work, not synchronisation
    await held.releaseNext();
  }
  const outcomes = await Promise.all(fetches.map((f) => f.outcome));
  for (const outcome of outcomes) assert.equal(outcome.status, 'ok', show(outcome));
  const longest = Math.max(...outcomes.map((o) => o.elapsedMs));
  assert.ok(longest > 2000, `one waited longer than the timeout (${longest} ms)`);
  assert.equal(held.mostInHand, 1);
  assert.equal(t.hub.broker.breakerState('patient'), 'closed');
});

test('an agency shedding load with 429: the broker waits its Retry-After and asks again, same transaction, breaker closed', async () => {
  // The agency takes one request at a time and sheds the rest; the hub allows itself three.
  const held = new HeldAgency(await agencyNamed('shedding'), (inHand) =>
    inHand >= 1
      ? { status: 429, headers: { 'retry-after': '1', 'content-type': 'application/problem+json' }, body: '{"code":"too_many_requests"}' }
      : undefined,
  );
  const t = await hubFor(held.agency, { BROKER_AGENCY_CONCURRENCY: '3', BROKER_MAX_ATTEMPTS: '1' });
  const fetches = await Promise.all([0, 1, 2].map((i) => startFetch(t, `p${i}`)));
  await held.until(() => held.held.length === 1 && held.arrivals.filter((a) => a.status === 429).length === 2);
  // Every request past the first was shed; each is asked again after its Retry-After until served.
  const settled = Promise.all(fetches.map((f) => f.outcome));
  let done = false;
  void settled.then(() => {
    done = true;
  });
  while (!done) {
    await Promise.race([held.until(() => held.held.length > 0), settled]);
    if (held.held.length > 0) await held.releaseNext();
  }
  const outcomes = await settled;
  for (const outcome of outcomes) assert.equal(outcome.status, 'ok', show(outcome));
  for (const { consentId } of fetches) {
    const mine = held.arrivals.filter((a) => a.consent === consentId);
    assert.equal(new Set(mine.map((a) => a.txn)).size, 1, 'the same transaction on every request');
    mine.forEach((arrival, i) => {
      const next = mine[i + 1];
      if (arrival.status === 429 && next) assert.ok(next.at - arrival.at >= 950, `asked again ${next.at - arrival.at} ms after a 429 with Retry-After: 1`);
    });
  }
  assert.ok(held.arrivals.filter((a) => a.status === 429).length >= 2);
  assert.equal(held.mostInHand, 1);
  assert.equal(t.hub.broker.breakerState('shedding'), 'closed', 'a 429 is not a failure of the agency');
});

test('the deadline bounds the wait in the queue and behind 429s: the data set fails as agency_busy, on time', async () => {
  const held = new HeldAgency(await agencyNamed('crowded'));
  const t = await hubFor(held.agency, { BROKER_AGENCY_CONCURRENCY: '1', BROKER_MAX_PREPARATION_SECONDS: '3', BROKER_TIMEOUT_SECONDS: '10' });
  const begun = Date.now();
  const first = await startFetch(t, 'first');
  await held.until(() => held.held.length === 1);
  const second = await startFetch(t, 'second');
  const queued = await second.outcome;
  // The slot frees only when the first request is cut at its own deadline (a moment before the
  // second's), and a slot with under a second left is not used.
  const waited = Date.now() - begun;
  assert.equal(queued.status, 'failed', show(queued));
  if (queued.status === 'failed') {
    assert.equal(queued.reason, 'agency_busy');
    assert.equal(queued.requests, 0, 'it never reached the agency');
    assert.ok(waited >= 2900, `waited in the queue until the deadline (${waited} ms)`);
    assert.ok(queued.elapsedMs <= 3500, `and not much past its own (${queued.elapsedMs} ms)`);
  }
  assert.equal(held.agency.requests, 1);
  // The request in flight meanwhile is cut at the same deadline, and not held against the agency.
  const cut = await first.outcome;
  assert.equal(cut.status, 'failed', show(cut));
  if (cut.status === 'failed') {
    assert.equal(cut.reason, 'agency_timeout');
    assert.match(cut.detail, /deadline/);
  }
  await held.releaseNext();

  // An agency that sheds every request: the broker stops asking before its next wait would end past the deadline.
  held.agency.behave(() => ({ status: 429, headers: { 'retry-after': '1' } }));
  const shed = await (await startFetch(t, 'shed')).outcome;
  assert.equal(shed.status, 'failed', show(shed));
  if (shed.status === 'failed') {
    assert.equal(shed.reason, 'agency_busy');
    assert.ok(shed.requests >= 2, 'it asked again after the Retry-After');
    assert.ok(shed.elapsedMs <= 3000, `never past the deadline (${shed.elapsedMs} ms)`);
  }
  assert.equal(t.hub.broker.breakerState('crowded'), 'closed');
  assert.match(FAILURE_MESSAGES.agency_busy.en, /busy.*again/);
});

test('a full queue refuses at once with agency_busy', async () => {
  const held = new HeldAgency(await agencyNamed('full'));
  const t = await hubFor(held.agency, { BROKER_AGENCY_CONCURRENCY: '1', BROKER_AGENCY_QUEUE: '1' });
  const first = await startFetch(t, 'first');
  await held.until(() => held.held.length === 1);
  const waiting = await startFetch(t, 'waiting');
  await brokerLoad(t, 'full', (load) => load.queued === 1);
  const refused = await (await startFetch(t, 'refused')).outcome;
  assert.equal(refused.status, 'failed', show(refused));
  if (refused.status === 'failed') {
    assert.equal(refused.reason, 'agency_busy');
    assert.match(refused.detail, /queue .* is full/);
  }
  await held.releaseNext();
  await held.until(() => held.held.length === 1);
  await held.releaseNext();
  assert.equal((await first.outcome).status, 'ok');
  assert.equal((await waiting.outcome).status, 'ok');
});

test('an agency built with the provider SDK sheds with 429 past maxConcurrent, and the broker still gets every package', async () => {
  // The SDK agency needs the hub's address and the hub the agency's: the agency's server listens
  // first and is handed the SDK's handler once the hub is up.
  let listener: RequestListener = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeAfter(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t = await startTestHub({
    registry: testRegistry([{ id: 'sdk-agency', baseUrl: url, datasets: ['ds-one'] }]),
    env: { BROKER_AGENCY_CONCURRENCY: '4', BROKER_MAX_ATTEMPTS: '1', BROKER_TIMEOUT_SECONDS: '10' },
  });
  closeAfter(() => t.stop());
  const waiting: Array<() => void> = [];
  let arrived: () => void = () => {};
  const shed: object[] = [];
  const provider = createProvider({
    agency: { id: 'sdk-agency', name: { 'zh-TW': '測試機關', en: 'Test agency' } },
    hub: { issuer: t.hub.config.publicUrl, jwksUrl: `${t.url}/.well-known/jwks.json` },
    maxConcurrent: 1,
    logger: {
      info: (obj, msg) => {
        if (msg !== 'package request shed') return;
        shed.push(obj);
        arrived();
      },
      warn() {},
      error() {},
    },
    datasets: [
      {
        id: 'ds-one',
        name: { 'zh-TW': '資料集', en: 'Data set' },
        fields: [{ id: 'value', name: { 'zh-TW': '值', en: 'Value' }, type: 'string' }],
        fetch: async () => {
          await new Promise<void>((release) => {
            waiting.push(release);
            arrived();
          });
          return { records: [{ value: 'synthetic' }] };
        },
      },
    ],
  });
  listener = provider.handler;
  const fetches = await Promise.all([0, 1, 2, 3].map((i) => startFetch(t, `p${i}`)));
  const settled = Promise.all(fetches.map((f) => f.outcome));
  let done = false;
  void settled.then(() => {
    done = true;
  });
  // The hub sends four at once; the agency takes one and sheds three. Then each held fetch is let
  // go as it comes, while the shed ones are asked again after their Retry-After.
  const ready = () => waiting.length > 0 && shed.length >= 3;
  while (!done) {
    const wake = new Promise<void>((resolve) => {
      arrived = () => {
        if (ready()) resolve();
      };
      arrived();
    });
    await Promise.race([wake, settled]);
    for (const release of waiting.splice(0)) release();
  }
  assert.equal(shed.length >= 3, true, `the agency shed the requests past its one (${shed.length})`);
  for (const outcome of await settled) {
    assert.equal(outcome.status, 'ok', show(outcome));
    if (outcome.status === 'ok') assert.equal(outcome.package.manifest.agency, 'sdk-agency');
  }
  assert.equal(t.hub.broker.breakerState('sdk-agency'), 'closed');
});
