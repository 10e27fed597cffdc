// The broker against misbehaving agencies over real HTTP: every fault becomes a clear per-data-set
// outcome; nothing crashes, nothing is used unverified.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, beforeEach, test } from 'node:test';
import { generateKeyPair } from 'jose';
import type { DatasetOutcome, ProgressEvent } from '../src/broker/outcome.ts';
import { craftedPackage, type FakeAgency, goodPackage, startFakeAgency, zipAnswer } from './helpers/fake-agency.ts';
import { consumedConsent } from './helpers/consent.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { rawZip } from './helpers/raw-zip.ts';
import { testRegistry } from './helpers/registry.ts';
import { closeAfterAll } from './helpers/close-after-all.ts';

const SUBJECT = 'A123456789';
let t: TestHub;
let agency: FakeAgency;
let other: FakeAgency;

const closeAfter = closeAfterAll();
before(async () => {
  agency = await startFakeAgency('fake');
  closeAfter(() => agency.close());
  other = await startFakeAgency('other');
  closeAfter(() => other.close());
  t = await startTestHub({ registry: registry(), env: { ...BROKER_ENV, BROKER_TIMEOUT_SECONDS: '10' } });
  closeAfter(() => t.stop());
});

// The fake agencies run in this process, so their signing and packaging count against the hub's
// timeout: it is generous here, and short only in the one test that is about timeouts.
const BROKER_ENV = { BROKER_MAX_ATTEMPTS: '2', BROKER_MAX_PACKAGE_BYTES: '65536', BROKER_MAX_PREPARATION_SECONDS: '5' };
function registry() {
  return testRegistry([
    { id: 'fake', baseUrl: agency.url, datasets: ['ds-one', 'ds-two'] },
    { id: 'other', baseUrl: other.url, datasets: ['ds-three'] },
    { id: 'down', baseUrl: 'http://127.0.0.1:1', datasets: ['ds-down'] },
  ]);
}
beforeEach(() => {
  agency.requests = 0;
});

async function fetchOne(dataset = 'ds-one', subject = SUBJECT, events: ProgressEvent[] = []): Promise<DatasetOutcome> {
  const [outcome] = await t.hub.broker.fetchAll({
    consent: await consumedConsent(t.hub, subject, [dataset]),
    nationalId: subject,
    onProgress: (e) => events.push(e),
  });
  assert.ok(outcome);
  return outcome;
}

function assertFailed(outcome: DatasetOutcome, reason: string, code?: string) {
  assert.equal(outcome.status, 'failed', JSON.stringify({ ...outcome, archive: undefined, package: undefined }));
  if (outcome.status !== 'failed') return;
  assert.equal(outcome.reason, reason);
  if (code) assert.equal(outcome.code, code);
  assert.doesNotMatch(outcome.detail, new RegExp(SUBJECT));
}

test('a correct package is verified and handed over, with progress events', async () => {
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, info)));
  const events: ProgressEvent[] = [];
  const outcome = await fetchOne('ds-one', SUBJECT, events);
  assert.equal(outcome.status, 'ok');
  if (outcome.status !== 'ok') return;
  assert.equal(outcome.package.manifest.dataset, 'ds-one');
  assert.equal(outcome.package.kid, agency.kid);
  assert.ok(outcome.package.files.get('data.json')?.toString().includes('synthetic'));
  assert.deepEqual(
    events.map((e) => e.state),
    ['requesting', 'verifying', 'ok'],
  );
});

test('records must fit the registered fields: an unknown field or a wrong type is refused, naming the field', async () => {
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, info, { records: [{ value: 'ok' }, { value: true }] })));
  const wrongType = await fetchOne();
  assertFailed(wrongType, 'package_invalid', 'data_field_type');
  if (wrongType.status === 'failed') assert.match(wrongType.detail, /records\[1\]\.value is not a string/);
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, info, { records: [{ value: 'ok', salary: 100 }] })));
  const unknown = await fetchOne();
  assertFailed(unknown, 'package_invalid', 'data_field_unknown');
  if (unknown.status === 'failed') assert.match(unknown.detail, /records\[0\]\.salary is not a registered field/);
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, info, { rows: [] })));
  assertFailed(await fetchOne(), 'package_invalid', 'data_malformed');
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, info, { records: [{ value: null }, {}] })));
  assert.equal((await fetchOne()).status, 'ok', 'null and absent values are allowed');
});

test('tampered data file: digest mismatch', async () => {
  agency.behave(async (info) => zipAnswer(await craftedPackage(agency, info, { data: Buffer.from('{"records":[{"value":"forged"}]}') })));
  assertFailed(await fetchOne(), 'package_invalid', 'package_digest_mismatch');
});

test('tampered manifest: signature fails', async () => {
  agency.behave(async (info) => zipAnswer(await craftedPackage(agency, info, { editManifestAfterSigning: (m) => m.replace('"version":1', '"version":1 ') })));
  assertFailed(await fetchOne(), 'package_invalid', 'package_signature_invalid');
});

test('signed with a key the agency does not publish under that kid: signature fails', async () => {
  const { privateKey } = await generateKeyPair('ES256');
  agency.behave(async (info) => zipAnswer(await craftedPackage(agency, info, { signWith: { privateKey, kid: agency.kid } })));
  assertFailed(await fetchOne(), 'package_invalid', 'package_signature_invalid');
});

test('unknown kid: refused', async () => {
  const { privateKey } = await generateKeyPair('ES256');
  agency.behave(async (info) => zipAnswer(await craftedPackage(agency, info, { signWith: { privateKey, kid: 'nobody-knows' } })));
  assertFailed(await fetchOne(), 'package_invalid', 'package_unknown_key');
});

test('a package made for another transaction (a replayed package) is refused', async () => {
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, { ...info, claims: { ...info.claims, txn: 'an-older-transaction-id' } })));
  assertFailed(await fetchOne(), 'package_invalid', 'package_binding_mismatch');
});

test('path traversal entry names are refused', async () => {
  agency.behave(async (info) =>
    zipAnswer(await craftedPackage(agency, info, { extraEntries: [{ name: '../../etc/cron.d/evil', data: Buffer.from('x') }], rawEntries: (e) => rawZip(e) })),
  );
  assertFailed(await fetchOne(), 'package_invalid', 'zip_unsafe_name');
  agency.behave(async (info) =>
    zipAnswer(await craftedPackage(agency, info, { extraEntries: [{ name: '/abs', data: Buffer.from('x') }], rawEntries: (e) => rawZip(e) })),
  );
  assertFailed(await fetchOne(), 'package_invalid', 'zip_unsafe_name');
});

test('duplicate entry names are refused', async () => {
  agency.behave(async (info) =>
    zipAnswer(await craftedPackage(agency, info, { extraEntries: [{ name: 'DATA.json', data: Buffer.from('{}') }], rawEntries: (e) => rawZip(e) })),
  );
  assertFailed(await fetchOne(), 'package_invalid', 'zip_duplicate_name');
});

test('a zip bomb is refused before it is inflated', async () => {
  // Written, so its pages are resident before the measurement: reading fresh zeroed memory while
  // deflating it would otherwise add its 40 MiB to the RSS measured below on some kernels.
  const bomb = Buffer.alloc(40 * 1024 * 1024).fill(0);
  // Measured from the moment the (in-process) agency has built its answer, so only the hub counts.
  let before = 0;
  agency.behave(async (info) => {
    const answer = zipAnswer(await craftedPackage(agency, info, { rawEntries: (e) => rawZip([...e, { name: 'bomb.bin', data: bomb, deflate: true }]) }));
    before = process.memoryUsage().rss;
    return answer;
  });
  const outcome = await fetchOne();
  assertFailed(outcome, 'package_invalid');
  if (outcome.status === 'failed') assert.ok(['zip_ratio', 'zip_too_large'].includes(outcome.code ?? ''), outcome.code);
  assert.ok(process.memoryUsage().rss - before < 30 * 1024 * 1024, 'the bomb was not inflated');
});

test('an oversized answer is cut off', async () => {
  agency.behave(() => zipAnswer(Buffer.alloc(200 * 1024, 1)));
  assertFailed(await fetchOne(), 'package_too_large');
  agency.behave(() => ({ status: 200, headers: { 'content-type': 'application/zip', 'transfer-encoding': 'chunked' }, body: Buffer.alloc(100 * 1024, 2) }));
  assertFailed(await fetchOne(), 'package_too_large');
});

test('garbage in place of a ZIP is refused', async () => {
  agency.behave(() => zipAnswer(Buffer.from('this is not a zip at all')));
  assertFailed(await fetchOne(), 'package_invalid', 'zip_malformed');
});

test('malformed JSON or an HTML page instead of a package', async () => {
  agency.behave(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"records": [' }));
  assertFailed(await fetchOne(), 'agency_bad_response');
  agency.behave(() => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Gateway says hi</body></html>' }));
  assertFailed(await fetchOne(), 'agency_bad_response');
  agency.behave(() => ({ status: 400, headers: { 'content-type': 'application/problem+json' }, body: '{not json' }));
  assertFailed(await fetchOne(), 'agency_rejected');
  agency.behave(() => ({ status: 403, headers: { 'content-type': 'text/html' }, body: '<h1>Forbidden</h1>' }));
  assertFailed(await fetchOne(), 'agency_bad_response');
});

test('an HTML 502 page is retried, then reported as an agency error', async () => {
  agency.behave(() => ({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad Gateway</html>' }));
  const outcome = await fetchOne();
  assertFailed(outcome, 'agency_error');
  assert.equal(agency.requests, 2, 'retried up to BROKER_MAX_ATTEMPTS');
});

test('a transient 500 is retried and the retry succeeds', async () => {
  agency.behave(async (info) => (info.count === 1 ? { status: 500 } : zipAnswer(await goodPackage(agency, info))));
  const outcome = await fetchOne();
  assert.equal(outcome.status, 'ok');
  assert.equal(outcome.requests, 2);
});

test('a slow agency times out; a dropped connection is retried', async () => {
  agency.behave(() => 'hang');
  const impatient = await startTestHub({ registry: registry(), env: { ...BROKER_ENV, BROKER_TIMEOUT_SECONDS: '1' } });
  try {
    const started = Date.now();
    const [outcome] = await impatient.hub.broker.fetchAll({ consent: await consumedConsent(impatient.hub, SUBJECT, ['ds-one'], 'test'), nationalId: SUBJECT });
    assert.ok(outcome);
    assertFailed(outcome, 'agency_timeout');
    assert.equal(agency.requests, 2, 'a timeout is retried');
    assert.ok(Date.now() - started < 8000, 'two 1 s attempts, not the default timeout');
  } finally {
    await impatient.stop();
  }
  agency.behave(() => 'reset');
  assertFailed(await fetchOne(), 'agency_unavailable');
});

test('an agency that is down', async () => {
  assertFailed(await fetchOne('ds-down'), 'agency_unavailable');
});

test('202 and 429 with Retry-After are polled with the same transaction id', async () => {
  const txns = new Set<string>();
  const jtis: number[] = [];
  agency.behave(async (info) => {
    txns.add(info.claims.txn);
    jtis.push(info.count);
    if (info.count === 1) return { status: 202, headers: { 'retry-after': '0' } };
    if (info.count === 2) return { status: 429, headers: { 'retry-after': '0' } };
    return zipAnswer(await goodPackage(agency, info));
  });
  const events: ProgressEvent[] = [];
  const outcome = await fetchOne('ds-one', SUBJECT, events);
  assert.equal(outcome.status, 'ok');
  assert.equal(txns.size, 1);
  assert.equal(outcome.requests, 3);
  assert.ok(events.some((e) => e.state === 'preparing'));
});

test('preparation longer than allowed ends as preparation_timeout; no-wait answers preparing', async () => {
  agency.behave(() => ({ status: 202, headers: { 'retry-after': '2' } }));
  assertFailed(await fetchOne(), 'preparation_timeout');
  const [outcome] = await t.hub.broker.fetchAll({
    consent: await consumedConsent(t.hub, SUBJECT, ['ds-one'], 'p'),
    nationalId: SUBJECT,
    waitForPreparation: false,
  });
  assert.equal(outcome?.status, 'preparing');
});

test('maintenance: 503 under_maintenance is reported with when to come back', async () => {
  agency.behave(() => ({
    status: 503,
    headers: { 'content-type': 'application/problem+json', 'retry-after': '900' },
    body: JSON.stringify({ type: 'x', title: 'Maintenance', status: 503, code: 'under_maintenance' }),
  }));
  const outcome = await fetchOne();
  assertFailed(outcome, 'agency_maintenance');
  if (outcome.status === 'failed') assert.equal(outcome.retryAfterSeconds, 900);
  assert.equal(agency.requests, 1, 'maintenance is not retried');
});

test('204: no data', async () => {
  agency.behave(() => ({ status: 204 }));
  assert.equal((await fetchOne()).status, 'no_data');
});

test('invalid national IDs fail every data set without contacting any agency', async () => {
  for (const bad of ['A123456788', 'A12345678', '1234567890', '', 'A1234567890']) {
    const outcomes = await t.hub.broker.fetchAll({ consent: await consumedConsent(t.hub, bad, ['ds-one', 'ds-three'], 'p'), nationalId: bad });
    assert.equal(outcomes.length, 2);
    for (const outcome of outcomes) assertFailed(outcome, 'subject_invalid');
  }
  assert.equal(agency.requests, 0);
});

test('unknown data sets fail alone; the others go ahead in parallel', async () => {
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, info)));
  other.behave(() => ({ status: 204 }));
  const outcomes = await t.hub.broker.fetchAll({
    consent: await consumedConsent(t.hub, SUBJECT, ['ds-one', 'nope', 'ds-three', 'ds-one'], 'p'),
    nationalId: SUBJECT,
  });
  assert.deepEqual(
    outcomes.map((o) => [o.dataset, o.status]),
    [
      ['ds-one', 'ok'],
      ['nope', 'failed'],
      ['ds-three', 'no_data'],
    ],
  );
});

test('the circuit opens after repeated failures and fails fast', async () => {
  other.behave(() => ({ status: 500 }));
  for (let i = 0; i < 3; i++) await fetchOne('ds-three');
  assert.equal(t.hub.broker.breakerState('other'), 'open');
  const before = other.requests;
  const outcome = await fetchOne('ds-three');
  assertFailed(outcome, 'agency_unavailable');
  assert.equal(other.requests, before, 'no request while open');
  assert.equal(outcome.requests, 0);
});

test('the hub survived all of it and left nothing personal on disk or in its logs', async () => {
  assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(t.database.dataDir);
  for (const file of files) {
    const bytes = readFileSync(file);
    assert.equal(bytes.includes(SUBJECT), false, `${file} holds the subject`);
    assert.equal(bytes.includes('synthetic'), false, `${file} holds record content`);
  }
  assert.doesNotMatch(t.logs(), new RegExp(SUBJECT));
});

test('an agency saying "ask again now" is still polled at most once a second, backing off', async () => {
  const times: number[] = [];
  agency.behave(async (info) => {
    times.push(Date.now());
    return info.count < 3 ? { status: 429, headers: { 'retry-after': '0' } } : zipAnswer(await goodPackage(agency, info));
  });
  assert.equal((await fetchOne()).status, 'ok');
  assert.ok((times[1] as number) - (times[0] as number) >= 950, 'first poll after >= 1 s');
  assert.ok((times[2] as number) - (times[1] as number) >= 1900, 'then backing off');
});

test('a caller that does not wait can resume the same preparation by its transaction id', async () => {
  const seen: string[] = [];
  agency.behave(async (info) => {
    seen.push(info.claims.txn);
    return seen.length === 1 ? { status: 202, headers: { 'retry-after': '5' } } : zipAnswer(await goodPackage(agency, info));
  });
  const [first] = await t.hub.broker.fetchAll({
    consent: await consumedConsent(t.hub, SUBJECT, ['ds-one'], 'p'),
    nationalId: SUBJECT,
    waitForPreparation: false,
  });
  assert.equal(first?.status, 'preparing');
  const [second] = await t.hub.broker.fetchAll({
    consent: await consumedConsent(t.hub, SUBJECT, ['ds-one'], 'p'),
    nationalId: SUBJECT,
    transactions: { 'ds-one': first?.transactionId as string },
  });
  assert.equal(second?.status, 'ok');
  assert.equal(seen[0], seen[1], 'the same transaction id both times');
});

test('a progress display that throws breaks neither the fetch nor the agency’s breaker', async () => {
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, info)));
  const [outcome] = await t.hub.broker.fetchAll({
    consent: await consumedConsent(t.hub, SUBJECT, ['ds-one'], 'p'),
    nationalId: SUBJECT,
    onProgress: () => {
      throw new Error('display broke');
    },
  });
  assert.equal(outcome?.status, 'ok');
  assert.equal(t.hub.broker.breakerState('fake'), 'closed');
});
