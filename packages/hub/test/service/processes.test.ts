// Any hub process serves any step of a transfer: two hub processes on one database (PostgreSQL in
// CI) behind a small load balancer that the test steers, with the pushed request on one, the
// person's authorization and consent on the other, the token and the data call on either. The
// authorization server's state is in the database and its cookies and keys come from HUB_SECRET.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compactDecrypt } from 'jose';
import * as client from 'openid-client';
import { loadConfig } from '../../src/config.ts';
import { createHub, type Hub } from '../../src/hub.ts';
import { createNoopNotifier } from '../../src/notify/index.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { type FakeAgency, goodPackage, startFakeAgency, zipAnswer } from '../helpers/fake-agency.ts';
import { type HubProcess, startHubProcess } from '../helpers/hub-process.ts';
import { signedIn } from '../helpers/portal-client.ts';
import { testRegistry } from '../helpers/registry.ts';
import { clientConfig, freePort, pushAuthorization, registerService, type TestService, visitPortal } from '../helpers/service-client.ts';

let database: TestDatabase;
let agency: FakeAgency;
let a: HubProcess;
let b: HubProcess;
let here: Hub;
let balancer: Server;
let publicUrl = '';
let service: TestService;
/** Which process the balancer sends each kind of request to; the test sets it per step. */
let steer: (path: string, method: string) => 'a' | 'b' = () => 'a';
const served: Array<{ to: 'a' | 'b'; what: string }> = [];

function kindOf(path: string): string {
  if (path.startsWith('/oauth/par')) return 'par';
  if (path.startsWith('/oauth/token')) return 'token';
  if (path.startsWith('/oauth/authorize') || path.startsWith('/services/consent')) return 'authorization';
  if (path.startsWith('/api/v1/service/data')) return 'data';
  return 'other';
}

before(async () => {
  database = await createTestDatabase();
  agency = await startFakeAgency('land-office');
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, info)));
  const registryFile = join(database.dataDir, 'registry.json');
  writeFileSync(registryFile, JSON.stringify(testRegistry([{ id: 'land-office', baseUrl: agency.url, datasets: ['cadastral'] }])));
  const port = await freePort();
  publicUrl = `http://localhost:${port}`;
  const env = {
    HUB_PORT: '0',
    HUB_PUBLIC_URL: publicUrl,
    DATA_DIR: database.dataDir,
    HUB_SECRET: randomBytes(32).toString('base64'),
    REGISTRY_FILE: registryFile,
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
  };
  here = await createHub(loadConfig({ ...env, NODE_ENV: 'test' }), {
    logger: captureLogs().logger,
    identity: { x509: undefined, oidc: undefined },
    notifier: createNoopNotifier(),
  });
  // Registered before the processes start: a running hub sees a registration within 5 s.
  service = await registerService(here, { clientId: 'two-process-bank', serviceId: 'two-process-loan', datasets: ['cadastral'] });
  [a, b] = await Promise.all([startHubProcess(env), startHubProcess(env)]);
  const targets = { a: new URL(a.url), b: new URL(b.url) };
  balancer = createServer((req, res) => {
    const path = req.url ?? '/';
    const to = steer(path, req.method ?? 'GET');
    served.push({ to, what: kindOf(path) });
    const upstream = httpRequest({ host: targets[to].hostname, port: targets[to].port, method: req.method, path, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => balancer.listen(port, '127.0.0.1', r));
});

after(async () => {
  balancer?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await here?.close();
  await agency?.close();
  await database?.cleanup();
});

async function transfer(route: Record<string, 'a' | 'b'>): Promise<void> {
  steer = (path) => route[kindOf(path)] ?? 'a';
  const config = await clientConfig(publicUrl, service);
  const pending = await pushAuthorization(config, service);
  const person = await signedIn(here, publicUrl, 'A123456789', 1);
  const visit = await visitPortal(pending.url, person, 'agree');
  const tokens = await client.authorizationCodeGrant(config, visit.callback, { pkceCodeVerifier: pending.verifier, expectedState: pending.state }, undefined, {
    DPoP: pending.dpop,
  });
  const dataUrl = new URL(`${publicUrl}/api/v1/service/data`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await client.fetchProtectedResource(config, tokens.access_token, dataUrl, 'POST', undefined, undefined, { DPoP: pending.dpop });
    if (res.status === 200) {
      const { plaintext } = await compactDecrypt(await res.text(), service.keys.encryption.privateKey);
      const payload = JSON.parse(Buffer.from(plaintext).toString('utf8')) as { manifest: { datasets: Array<{ status: string }> } };
      assert.deepEqual(
        payload.manifest.datasets.map((d) => d.status),
        ['ok'],
      );
      return;
    }
    assert.equal(res.status, 202);
    assert.ok(Date.now() < deadline, 'the delivery became ready');
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('PAR on one process, the authorization on the other, token and data on either', async () => {
  served.length = 0;
  await transfer({ par: 'a', authorization: 'b', token: 'a', data: 'b' });
  const seen = (what: string) => [...new Set(served.filter((s) => s.what === what).map((s) => s.to))];
  assert.deepEqual(seen('par'), ['a']);
  assert.deepEqual(seen('authorization'), ['b']);
  assert.deepEqual(seen('token'), ['a']);
  assert.deepEqual(seen('data'), ['b']);
  served.length = 0;
  await transfer({ par: 'b', authorization: 'a', token: 'b', data: 'a' });
  assert.deepEqual(seen('par'), ['b']);
  assert.deepEqual(seen('authorization'), ['a']);
  assert.deepEqual(seen('token'), ['b']);
  assert.deepEqual(seen('data'), ['a']);
});
