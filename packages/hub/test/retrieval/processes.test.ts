// Any hub process serves any step: two hub processes share one database (PostgreSQL in CI, or one
// SQLite file), the consent is taken by one and the progress, preview and download are served by
// the other. A process killed mid-retrieval leaves nothing "in progress" for ever: the next sweep of
// any process fails it and the person may retry. Shutdown lets retrievals under way finish within a
// grace period and fails the rest.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createHub, type Hub } from '../../src/hub.ts';
import { createNoopNotifier } from '../../src/notify/index.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { type FakeAgency, goodPackage, type RequestInfo, startFakeAgency, zipAnswer } from '../helpers/fake-agency.ts';
import { type HubProcess, startHubProcess } from '../helpers/hub-process.ts';
import { clientFor, type PortalClient, signedIn, untilFinished } from '../helpers/portal-client.ts';
import { testRegistry } from '../helpers/registry.ts';

const ID = 'A123456789';
const PASSWORD = 'correct horse battery';
const DATASETS = ['household-personal', 'household-members'];

let database: TestDatabase;
let env: Record<string, string>;
let agency: FakeAgency;
let a: HubProcess;
let b: HubProcess;
/** An in-process hub on the same database: makes sessions, and sweeps with a clock the test moves. */
let here: Hub;
let clockOffsetMs = 0;
const stopping: Array<() => Promise<unknown>> = [];

/** A gate the fake agency waits at, and a signal for when a request has reached it. */
function gate() {
  let open!: () => void;
  let arrived!: (info: RequestInfo) => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const reached = new Promise<RequestInfo>((resolve) => {
    arrived = resolve;
  });
  agency.behave(async (info) => {
    arrived(info);
    await opened;
    return zipAnswer(await goodPackage(agency, info, { records: [{ value: 'synthetic record' }] }));
  });
  return { open, reached };
}

before(async () => {
  database = await createTestDatabase();
  agency = await startFakeAgency('household-office');
  const registryFile = join(database.dataDir, 'registry.json');
  writeFileSync(registryFile, JSON.stringify(testRegistry([{ id: 'household-office', baseUrl: agency.url, datasets: DATASETS }])));
  env = {
    HUB_PORT: '0',
    DATA_DIR: database.dataDir,
    HUB_SECRET: randomBytes(32).toString('base64'),
    REGISTRY_FILE: registryFile,
    BROKER_TIMEOUT_SECONDS: '30',
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
  };
  here = await inProcessHub({}, { staleAfterMs: 5_000 });
  stopping.push(() => here.close());
  a = await startHubProcess(env);
  stopping.push(() => a.stop());
  b = await startHubProcess(env);
  stopping.push(() => b.stop());
});

after(async () => {
  for (const stop of stopping.reverse()) await stop().catch(() => {});
  await agency?.close();
  await database?.cleanup();
});

async function inProcessHub(extraEnv: Record<string, string>, retrieval: { staleAfterMs?: number } = {}): Promise<Hub> {
  const hub = await createHub(loadConfig({ ...env, NODE_ENV: 'test', ...extraEnv }), {
    logger: captureLogs().logger,
    identity: { x509: undefined, oidc: undefined },
    notifier: createNoopNotifier(),
    now: () => new Date(Date.now() + clockOffsetMs),
    retrieval,
  });
  await hub.listen();
  return hub;
}

async function consentOn(client: PortalClient): Promise<string> {
  const res = await client.post('/download/consent', { datasets: DATASETS, password: PASSWORD, password2: PASSWORD });
  assert.equal(res.status, 303, await res.text());
  return res.headers.get('location') ?? '';
}

test('consent on one hub process; progress, preview and download on the other', async () => {
  const onA = await signedIn(here, a.url, ID);
  const onB = clientFor(b.url, onA.cookie, onA.csrf);
  const agencyGate = gate();
  const path = await consentOn(onA);
  await agencyGate.reached;
  const running = await (await onB.get(path)).text();
  assert.match(running, /取得資料中/, 'process B shows the retrieval process A is running');
  assert.match(running, /data-events=/, 'with live progress');
  const finished = untilFinished(onB, path);
  agencyGate.open();
  await finished;
  const page = await (await onB.get(path)).text();
  assert.match(page, /資料已備妥/);
  const link = /href="(\/download\/files\/[A-Za-z0-9_-]{43})"/.exec(page)?.[1];
  assert.ok(link, 'B shows the one-time link');
  const preview = await (await onB.get(`${path}/preview`)).text();
  assert.match(preview, /synthetic record/, 'B opens the preview sealed by A, with the key the session carries');
  const file = await onB.get(link);
  assert.equal(file.status, 200);
  assert.equal(file.headers.get('content-type'), 'application/zip');
  assert.equal((await onA.get(link)).status, 410, 'spent for A too');
});

test('a hub process killed mid-retrieval: the next sweep fails it, the consent stays used, a retry is offered', async () => {
  const c = await startHubProcess(env);
  stopping.push(() => c.stop());
  const onC = await signedIn(here, c.url, ID);
  const onB = clientFor(b.url, onC.cookie, onC.csrf);
  const agencyGate = gate();
  const path = await consentOn(onC);
  await agencyGate.reached;
  await c.kill();
  const retrievalId = path.split('/').pop() as string;
  assert.equal((await here.retrievals.find(retrievalId))?.status, 'running', 'nothing recorded the death yet');
  assert.equal(await here.retrievals.sweep(), 0, 'a fresh heartbeat is not stale');
  clockOffsetMs = 10_000;
  try {
    assert.equal(await here.retrievals.sweep(), 1, 'past the stale time the sweep fails it');
    assert.equal(await here.retrievals.sweep(), 0, 'once');
  } finally {
    clockOffsetMs = 0;
  }
  const view = await here.retrievals.find(retrievalId);
  assert.equal(view?.status, 'failed');
  assert.equal(view?.failure, 'interrupted');
  assert.ok(view?.datasets.every((d) => d.state === 'failed' && d.reason === 'hub_interrupted'));
  assert.equal((await here.retrievals.findConsent(view?.consentId as string))?.status, 'used');
  const page = await (await onB.get(path)).text();
  assert.match(page, /平台在取得資料時中止/);
  assert.match(page, /href="\/download\/consent\?datasets=household-personal&(amp|#38);datasets=household-members"/, 'every data set may be asked for again');
  const history = (await (await onB.get('/api/v1/me/history')).json()) as { entries: Array<{ entry: { action: string; outcome: string | null } }> };
  assert.ok(
    history.entries.some((e) => e.entry.action === 'agency_outcome' && e.entry.outcome === 'hub_interrupted'),
    'the ledger says what happened',
  );
  agencyGate.open();
});

test('shutdown waits for a retrieval under way within the grace period', async () => {
  const hub = await inProcessHub({ SHUTDOWN_GRACE_SECONDS: '30' });
  stopping.push(() => hub.close());
  const client = await signedIn(hub, `http://127.0.0.1:${(hub.app.server.address() as { port: number }).port}`, ID);
  const agencyGate = gate();
  const path = await consentOn(client);
  await agencyGate.reached;
  const closed = hub.close();
  const refused = await client.post('/download/consent', { datasets: DATASETS, password: PASSWORD, password2: PASSWORD }).catch(() => undefined);
  assert.ok(!refused || refused.status === 503, 'no new retrieval starts while closing');
  agencyGate.open();
  await closed;
  const view = await here.retrievals.find(path.split('/').pop() as string);
  assert.equal(view?.status, 'done', 'it finished and delivered before the process stopped');
});

test('shutdown past the grace period stops the rest and fails them so the person can retry', async () => {
  const hub = await inProcessHub({ SHUTDOWN_GRACE_SECONDS: '0' });
  stopping.push(() => hub.close());
  const client = await signedIn(hub, `http://127.0.0.1:${(hub.app.server.address() as { port: number }).port}`, ID);
  const agencyGate = gate();
  const path = await consentOn(client);
  await agencyGate.reached;
  await hub.close();
  const view = await here.retrievals.find(path.split('/').pop() as string);
  assert.equal(view?.status, 'failed');
  assert.equal(view?.failure, 'interrupted');
  assert.ok(
    view?.datasets.every((d) => d.state === 'failed'),
    JSON.stringify(view?.datasets),
  );
  agencyGate.open();
});
