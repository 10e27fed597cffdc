// The demo end to end over real HTTP: the hub's broker against the seven SDK-built demo agencies,
// on SQLite or PostgreSQL (DATABASE_URL), then a scan for the citizens' data on disk and in logs.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { DatasetOutcome } from '@openmydata/hub';
import { parseRegistry, seedRegistry } from '@openmydata/hub';
import { consumedConsent } from '../../packages/hub/test/helpers/consent.ts';
import { startTestHub, type TestHub } from '../../packages/hub/test/helpers/hub.ts';
import { startDemoAgencies } from '../src/agencies.ts';
import { ALL_DAY, DEMO_AGENCIES, registryWith } from '../src/catalogue.ts';
import { CITIZENS, DEMO_PERSONAS, findCitizen, formatAddress } from '../src/population/citizens.ts';
import { recordsFor } from '../src/population/records.ts';
import { filesUnder, findPersonalData } from './privacy-scan.ts';
import { closeAfterAll } from '../../packages/hub/test/helpers/close-after-all.ts';

const ALL = DEMO_AGENCIES.flatMap((a) => a.datasets.map((d) => d.id));
let t: TestHub;
let agencies: Awaited<ReturnType<typeof startDemoAgencies>>;
let maintained: Awaited<ReturnType<typeof startDemoAgencies>>;

const closeAfter = closeAfterAll();
before(async () => {
  t = await startTestHub({ env: { BROKER_TIMEOUT_SECONDS: '10' } });
  closeAfter(() => t.stop());
  const hub = { issuer: t.hub.config.publicUrl, jwksUrl: `${t.url}/.well-known/jwks.json` };
  // Tests stay clear of the land agency's nightly window, then open one on purpose below.
  agencies = await startDemoAgencies({ hub, portOf: () => 0, maintenance: () => [] });
  closeAfter(agencies.close);
  maintained = await startDemoAgencies({ hub, portOf: () => 0, maintenance: () => ALL_DAY, agencies: DEMO_AGENCIES.filter((a) => a.id === 'land') });
  closeAfter(maintained.close);
  const urls = new Map(agencies.agencies.map((a) => [a.id, a.url]));
  await seedRegistry(
    t.hub.db,
    parseRegistry(
      registryWith(
        (a) => urls.get(a.id) as string,
        () => [],
      ),
    ),
  );
  t.hub.catalogue.invalidate();
});

function byDataset(outcomes: DatasetOutcome[]): Map<string, DatasetOutcome> {
  return new Map(outcomes.map((o) => [o.dataset, o]));
}

test('the catalogue has at least 14 data sets from at least 7 agencies', async () => {
  const body = (await (await fetch(`${t.url}/api/v1/datasets`)).json()) as { datasets: Array<{ agency: { id: string } }> };
  assert.ok(body.datasets.length >= 14, `${body.datasets.length} data sets`);
  assert.ok(new Set(body.datasets.map((d) => d.agency.id)).size >= 7);
});

test('all fifteen data sets for the first persona, including the slow one, verified', async () => {
  const states: string[] = [];
  const outcomes = await t.hub.broker.fetchAll({
    consent: await consumedConsent(t.hub, 'A123456789', ALL, 'end-to-end test'),
    nationalId: 'A123456789',
    onProgress: (e) => states.push(`${e.dataset}:${e.state}`),
  });
  for (const outcome of outcomes) assert.equal(outcome.status, 'ok', `${outcome.dataset}: ${outcome.status} ${'reason' in outcome ? outcome.reason : ''}`);
  assert.ok(states.includes('income-tax-certificate:preparing'), 'the slow data set was prepared asynchronously');
  const household = byDataset(outcomes).get('household-personal');
  assert.ok(household?.status === 'ok');
  const data = JSON.parse(household.package.files.get('data.json')?.toString('utf8') ?? '{}') as { records: unknown[] };
  assert.deepEqual(data.records, recordsFor('household-personal', 'A123456789')?.records, 'the records are the agency’s, unaltered');
  const pdf = household.package.files.get('data.pdf');
  assert.ok(pdf?.subarray(0, 5).toString() === '%PDF-');
});

test('a citizen without land or car gets "no data" for those, data for the rest', async () => {
  const persona = DEMO_PERSONAS[1];
  assert.ok(persona);
  const outcomes = byDataset(
    await t.hub.broker.fetchAll({
      consent: await consumedConsent(t.hub, persona.nationalId, ['cadastral', 'low-income', 'household-whole', 'traffic-violations'], 'test'),
      nationalId: persona.nationalId,
    }),
  );
  assert.equal(outcomes.get('cadastral')?.status, 'no_data');
  assert.equal(outcomes.get('traffic-violations')?.status, 'no_data');
  assert.equal(outcomes.get('low-income')?.status, 'ok');
  assert.equal(outcomes.get('household-whole')?.status, 'ok');
});

test('every synthetic citizen can be fetched (household data)', async () => {
  const sample = CITIZENS.filter((_, i) => i % 6 === 0);
  const results = await Promise.all(
    sample.map(async (c) =>
      t.hub.broker.fetchAll({ consent: await consumedConsent(t.hub, c.nationalId, ['household-personal'], 'test'), nationalId: c.nationalId }),
    ),
  );
  for (const [outcome] of results) assert.equal(outcome?.status, 'ok');
});

test('an agency in its maintenance window is reported as such, with when to come back', async () => {
  const land = maintained.agencies[0];
  assert.ok(land);
  const urls = new Map(agencies.agencies.map((a) => [a.id, a.url]));
  urls.set('land', land.url);
  await seedRegistry(t.hub.db, parseRegistry(registryWith((a) => urls.get(a.id) as string)));
  t.hub.catalogue.invalidate();
  try {
    const [outcome] = await t.hub.broker.fetchAll({ consent: await consumedConsent(t.hub, 'A123456789', ['cadastral'], 'test'), nationalId: 'A123456789' });
    assert.equal(outcome?.status, 'failed');
    if (outcome?.status === 'failed') {
      assert.equal(outcome.reason, 'agency_maintenance');
      assert.ok((outcome.retryAfterSeconds ?? 0) > 0);
    }
  } finally {
    await seedRegistry(t.hub.db, parseRegistry(registryWith((a) => (a.id === 'land' ? land.url : (urls.get(a.id) as string)))));
  }
});

test('nothing personal on disk, in the database or in the logs after real fetches', async () => {
  const citizen = findCitizen('A123456789');
  assert.ok(citizen);
  const needles = ['A123456789', citizen.name, formatAddress(citizen.address)];
  const files = filesUnder(t.database.dataDir);
  assert.ok(files.length > 0);
  assert.deepEqual(findPersonalData(files, needles), []);
  for (const needle of needles) assert.equal(t.logs().includes(needle), false, `logs hold ${needle}`);
  if (t.database.engine === 'postgres') {
    const { sql } = await import('kysely');
    const tables = ['agencies', 'datasets', 'hub_keys'];
    for (const table of tables) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(t.hub.db);
      const text = JSON.stringify(rows.rows);
      for (const needle of needles) assert.equal(text.includes(needle), false, `${table} holds ${needle}`);
    }
  }
});
