// The service SDK against a real hub: the whole flow (PAR, the person's consent on the portal, the
// callback, the code with DPoP, 202 then the delivery), typed records and each agency signature's
// verdict; the person saying no; the token refused once used; a tampered agency package inside an
// otherwise valid delivery caught; the webhook verified, a forged one refused.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createZip, readZip } from '@openmydata/protocol';
import { createHash } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { type FakeAgency, goodPackage, startFakeAgency, zipAnswer } from '../../hub/test/helpers/fake-agency.ts';
import { startTestHub, type TestHub } from '../../hub/test/helpers/hub.ts';
import { type PortalClient, signedIn } from '../../hub/test/helpers/portal-client.ts';
import { testRegistry } from '../../hub/test/helpers/registry.ts';
import { freePort, registerService, visitPortal } from '../../hub/test/helpers/service-client.ts';
import {
  AuthorizationRefused,
  DataCallError,
  DeliveryError,
  generateServiceKeys,
  publicJwks,
  recordsOf,
  ServiceClient,
  type ServiceKeys,
} from '../src/index.ts';

interface IncomeRecord {
  value: string;
}

let t: TestHub;
let agency: FakeAgency;
let person: PortalClient;
let keys: ServiceKeys;
let sdk: ServiceClient;
let preparing = true;
const captured: string[] = [];
const hooks: string[] = [];
let hookUrl = '';
let hookServer: ReturnType<typeof createServer>;

before(async () => {
  agency = await startFakeAgency('fia');
  agency.behave(async (info) => {
    if (info.claims.dataset === 'property' && preparing) return { status: 202, headers: { 'retry-after': '1' } };
    return zipAnswer(await goodPackage(agency, info, { records: [{ value: `${info.claims.dataset} record` }] }));
  });
  hookServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      hooks.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/webhook`;
  const port = await freePort();
  t = await startTestHub({
    registry: testRegistry([{ id: 'fia', baseUrl: agency.url, datasets: ['income', 'property'] }]),
    env: { HUB_PORT: String(port), HUB_PUBLIC_URL: `http://localhost:${port}` },
  });
  keys = await generateServiceKeys();
  const service = await registerService(t.hub, {
    clientId: 'sdk-bank',
    serviceId: 'sdk-loan',
    datasets: ['income', 'property'],
    jwks: publicJwks(keys),
    webhookUrl: hookUrl,
  });
  sdk = await ServiceClient.create({
    hub: t.hub.config.publicUrl,
    clientId: 'sdk-bank',
    redirectUri: service.redirectUri,
    keys,
    allowInsecureRequests: true,
    // Keeps each raw delivery, so the tamper test below can work on a real one.
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/api/v1/service/data') && res.status === 200) captured.push(await res.clone().text());
      return res;
    },
  });
  person = await signedIn(t.hub, t.hub.config.publicUrl, 'A123456789', 2);
});

after(async () => {
  await t?.stop();
  await agency?.close();
  hookServer?.close();
});

test('the whole flow with the SDK: typed records, each signature verified, one delivery', async () => {
  const { url, pending } = await sdk.pushAuthorization({ service: 'sdk-loan', datasets: ['income', 'property'] });
  assert.deepEqual(JSON.parse(JSON.stringify(pending)), pending, 'the pending authorization is plain data, for a session');
  const visit = await visitPortal(url, person, 'agree');
  const authorization = await sdk.handleCallback(visit.callback, pending);
  assert.match(authorization.transfer, /^[0-9a-f-]{36}$/);
  const first = await sdk.fetchData(authorization);
  assert.equal(first.status, 'preparing');
  preparing = false;
  const delivery = await sdk.waitForData(authorization, { timeoutMs: 30_000 });
  assert.equal(delivery.transfer, authorization.transfer);
  assert.equal(delivery.complete, true);
  for (const d of delivery.datasets) {
    assert.equal(d.status, 'ok');
    assert.deepEqual(d.verdict, { ok: true, agency: 'fia', kid: agency.kid });
    assert.ok(d.pdf && d.pdf.byteLength > 0);
    assert.deepEqual(
      d.fields.map((f) => [f.id, f.type]),
      [['value', 'string']],
    );
  }
  const income = recordsOf<IncomeRecord>(delivery, 'income');
  assert.equal(income[0]?.value, 'income record');
  await assert.rejects(sdk.fetchData(authorization), (error: unknown) => {
    assert.ok(error instanceof DataCallError);
    assert.equal(error.error, 'invalid_token');
    assert.match(error.description ?? '', /was used/);
    return true;
  });
});

test('a tampered agency package inside an otherwise valid delivery is caught; the rest stays usable', async () => {
  const jwe = captured[0];
  assert.ok(jwe, 'a real delivery was captured');
  const { plaintext } = await compactDecrypt(jwe, await importJWK(keys.encryption, 'ECDH-ES+A256KW'));
  const payload = JSON.parse(Buffer.from(plaintext).toString('utf8')) as {
    manifest: { datasets: Array<{ dataset: string; package?: { sha256: string } }> };
    packages: Record<string, string>;
  };
  const entries = readZip(Buffer.from(payload.packages.income as string, 'base64'));
  const data = JSON.parse(entries.get('data.json')?.toString('utf8') ?? '{}') as { records: Array<{ value: string }> };
  data.records[0] = { value: 'a richer person' };
  const tampered = createZip([...entries].map(([name, bytes]) => ({ name, data: name === 'data.json' ? Buffer.from(JSON.stringify(data)) : bytes })));
  payload.packages.income = tampered.toString('base64');
  // The hub's own digest is made to match: only the agency's signature can tell.
  const entry = payload.manifest.datasets.find((d) => d.dataset === 'income');
  if (entry?.package) entry.package.sha256 = createHash('sha256').update(tampered).digest('hex');
  const reencrypted = await new CompactEncrypt(Buffer.from(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: keys.encryption.kid })
    .encrypt(await importJWK(publicJwks(keys).keys[1] as JWK, 'ECDH-ES+A256KW'));
  const delivery = await sdk.openDelivery(reencrypted);
  const income = delivery.datasets.find((d) => d.dataset === 'income');
  assert.equal(income?.verdict?.ok, false);
  assert.equal(income?.verdict?.ok === false ? income.verdict.code : '', 'package_digest_mismatch');
  assert.deepEqual(income?.records, [], 'no records from a package that failed');
  assert.deepEqual(recordsOf(delivery, 'income'), []);
  assert.equal(delivery.datasets.find((d) => d.dataset === 'property')?.verdict?.ok, true);
  assert.equal(delivery.complete, false);
  await assert.rejects(sdk.openDelivery(`${reencrypted.slice(0, -4)}AAAA`), DeliveryError);
});

test('the person says no: AuthorizationRefused with access_denied', async () => {
  const { url, pending } = await sdk.pushAuthorization({ service: 'sdk-loan', datasets: ['income'] });
  const visit = await visitPortal(url, person, 'refuse');
  await assert.rejects(
    sdk.handleCallback(visit.callback, pending),
    (error: unknown) => error instanceof AuthorizationRefused && error.error === 'access_denied',
  );
});

test('the webhook verifies; a forged one does not', async () => {
  const deadline = Date.now() + 20_000;
  while (hooks.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const event = await sdk.verifyWebhook(hooks[0] ?? '');
  assert.equal(event.event, 'delivery.ready');
  assert.equal(event.service, 'sdk-loan');
  const stranger = await generateKeyPair('ES256');
  const forged = await new SignJWT({ event: 'delivery.ready', transfer: event.transfer })
    .setProtectedHeader({ alg: 'ES256', typ: 'openmydata-webhook+jwt' })
    .setIssuer(sdk.issuer)
    .setAudience('sdk-bank')
    .setIssuedAt()
    .sign(stranger.privateKey);
  await assert.rejects(sdk.verifyWebhook(forged), DeliveryError);
});
