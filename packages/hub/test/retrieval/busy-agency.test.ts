// A person whose data set cannot be fetched in time because its agency is overloaded: the other data
// sets still arrive and are downloadable, the page says why the missing one failed, in the person's
// language, and offers to fetch just that one again; the ledger records agency_busy.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FAILURE_MESSAGES } from '../../src/broker/outcome.ts';
import { type FakeAgency, goodPackage, startFakeAgency, zipAnswer } from '../helpers/fake-agency.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { signedIn, untilFinished } from '../helpers/portal-client.ts';
import { testRegistry } from '../helpers/registry.ts';

const NATIONAL_ID = 'A123456789';
const PASSWORD = 'correct horse battery';
let t: TestHub;
let calm: FakeAgency;
let busy: FakeAgency;

before(async () => {
  calm = await startFakeAgency('calm-office');
  calm.behave(async (info) => zipAnswer(await goodPackage(calm, info)));
  busy = await startFakeAgency('busy-office');
  busy.behave(() => ({ status: 429, headers: { 'retry-after': '1' } }));
  t = await startTestHub({
    registry: testRegistry([
      { id: 'calm-office', baseUrl: calm.url, datasets: ['calm-records'] },
      { id: 'busy-office', baseUrl: busy.url, datasets: ['busy-records'] },
    ]),
    env: { BROKER_MAX_PREPARATION_SECONDS: '2' },
  });
});
after(async () => {
  await t?.stop();
  await calm?.close();
  await busy?.close();
});

test('an overloaded agency: the rest is delivered, the reason is shown and a retry of the missing data set is offered', async () => {
  const person = await signedIn(t.hub, t.url, NATIONAL_ID);
  const consent = await person.post('/download/consent', {
    datasets: ['calm-records', 'busy-records'],
    password: PASSWORD,
    password2: PASSWORD,
    email: '',
  });
  assert.equal(consent.status, 303, await consent.text());
  const path = consent.headers.get('location') ?? '';
  await untilFinished(person, path);
  assert.ok(busy.requests >= 1, 'the busy agency was asked');

  const zh = await (await person.get(path)).text();
  assert.ok(zh.includes(FAILURE_MESSAGES.agency_busy['zh-TW']), 'the reason, in Chinese');
  assert.match(zh, /href="\/download\/files\/[A-Za-z0-9_-]{43}"/, 'what did arrive is ready to download');
  const retry = /href="(\/download\/consent\?[^"]+)"/.exec(zh)?.[1]?.replaceAll('&amp;', '&');
  assert.ok(retry, 'a retry is offered');
  assert.deepEqual(new URL(retry, t.url).searchParams.getAll('datasets'), ['busy-records'], 'for the missing data set alone');

  const en = await (await person.get(`${path}?lang=en`)).text();
  assert.ok(en.includes(FAILURE_MESSAGES.agency_busy.en), 'the reason, in English');

  const history = (await (await person.get('/api/v1/me/history', { headers: { accept: 'application/json' } })).json()) as {
    entries: Array<{ entry: { action: string; outcome?: string | null } }>;
  };
  assert.ok(
    history.entries.some((e) => e.entry.action === 'agency_outcome' && e.entry.outcome === 'agency_busy'),
    'the ledger says why',
  );
  assert.equal(t.hub.broker.breakerState('busy-office'), 'closed');
});
