// Mode 3 end to end, with a service written on openid-client alone (no SDK), to show that a
// standard OAuth client is all a service needs: PAR with authorization_details, the person's sign-in
// and consent on the portal, the code redeemed with DPoP, 202 while the agency prepares, the JWE
// once, decrypted with the service's key, each agency package verifying against the agency's key.
// Then the traces: ledger, history, transfers page, the e-mail, and nothing personal anywhere.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifyPackage } from '@openmydata/protocol';
import { compactDecrypt, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { sql } from 'kysely';
import * as client from 'openid-client';
import type { Notice, Notifier } from '../../src/notify/index.ts';
import { type FakeAgency, goodPackage, startFakeAgency, zipAnswer } from '../helpers/fake-agency.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { type PortalClient, signedIn } from '../helpers/portal-client.ts';
import { testRegistry } from '../helpers/registry.ts';
import { clientConfig, freePort, pushAuthorization, registerService, type TestService, visitPortal } from '../helpers/service-client.ts';

const NATIONAL_ID = 'A123456789';
const NAME = '王小明';
const ADDRESS = '臺北市中正區重慶南路一段122號';
const EMAIL = 'person@example.test';
const NEEDLES = [NATIONAL_ID, NAME, ADDRESS, EMAIL];

let t: TestHub;
let agency: FakeAgency;
let service: TestService;
let person: PortalClient;
let config: client.Configuration;
const notices: Notice[] = [];
let released = false;

before(async () => {
  agency = await startFakeAgency('tax-office');
  agency.behave(async (info) => {
    // The slow data set answers "preparing" until the test lets it go, so the 202 is seen for sure.
    if (info.claims.dataset === 'slow-income' && !released) return { status: 202, headers: { 'retry-after': '1' } };
    return zipAnswer(await goodPackage(agency, info, { records: [{ value: `${NAME} ${ADDRESS}` }] }));
  });
  const port = await freePort();
  const notifier: Notifier = {
    async notify(notice) {
      notices.push(notice);
      return true;
    },
  };
  t = await startTestHub({
    registry: testRegistry([{ id: 'tax-office', baseUrl: agency.url, datasets: ['income', 'slow-income', 'other'] }]),
    env: { HUB_PORT: String(port), HUB_PUBLIC_URL: `http://localhost:${port}` },
    notifier,
  });
  service = await registerService(t.hub, { clientId: 'test-bank', serviceId: 'loan-check', datasets: ['income', 'slow-income'] });
  config = await clientConfig(t.hub.config.publicUrl, service);
  person = await signedIn(t.hub, t.hub.config.publicUrl, NATIONAL_ID, 2);
});

after(async () => {
  await t?.stop();
  await agency?.close();
});

function holdsNeedle(value: unknown): string | undefined {
  for (const needle of NEEDLES) {
    if (Buffer.isBuffer(value) && value.includes(Buffer.from(needle, 'utf8'))) return needle;
    if (typeof value === 'string' && value.includes(needle)) return needle;
  }
  return undefined;
}

let transferId = '';

test('a plain openid-client service gets the verified agency packages, once', async () => {
  const pending = await pushAuthorization(config, service);
  assert.equal(pending.url.pathname, '/oauth/authorize');
  assert.match(pending.url.searchParams.get('request_uri') ?? '', /^urn:ietf:params:oauth:request_uri:/, 'a pushed request');
  const visit = await visitPortal(pending.url, person, 'agree', { email: EMAIL });
  for (const expected of [
    '測試服務提供者 test-bank',
    '測試服務 loan-check',
    '測試用途',
    '保存 30 天',
    'A1******89',
    '資料集 income',
    '測試機關 tax-office',
    '第3級',
  ])
    assert.ok(visit.consentPage.includes(expected), `the consent page shows ${expected}`);
  assert.equal(visit.callback.origin + visit.callback.pathname, service.redirectUri);
  assert.equal(visit.callback.searchParams.get('iss'), t.hub.config.publicUrl, 'RFC 9207: the issuer is in the authorization response');
  const tokens = await client.authorizationCodeGrant(config, visit.callback, { pkceCodeVerifier: pending.verifier, expectedState: pending.state }, undefined, {
    DPoP: pending.dpop,
  });
  assert.equal(tokens.token_type.toLowerCase(), 'dpop');
  assert.equal(tokens.refresh_token, undefined, 'no refresh tokens');
  const details = tokens.authorization_details as Array<{ type: string; service: string; datasets: string[]; transfer: string }>;
  assert.equal(details[0]?.service, 'loan-check');
  transferId = details[0]?.transfer ?? '';
  assert.match(transferId, /^[0-9a-f-]{36}$/);

  const dataUrl = new URL(`${t.hub.config.publicUrl}/api/v1/service/data`);
  const preparing = await client.fetchProtectedResource(config, tokens.access_token, dataUrl, 'POST', undefined, undefined, { DPoP: pending.dpop });
  assert.equal(preparing.status, 202, 'the slow agency is still preparing');
  assert.ok(Number(preparing.headers.get('retry-after')) >= 1);
  const body = (await preparing.json()) as { status: string; datasets: Array<{ dataset: string; state: string }> };
  assert.equal(body.status, 'preparing');
  assert.deepEqual(body.datasets.map((d) => d.dataset).sort(), ['income', 'slow-income']);

  released = true;
  let delivered: Response | undefined;
  const deadline = Date.now() + 20_000;
  while (!delivered && Date.now() < deadline) {
    const res = await client.fetchProtectedResource(config, tokens.access_token, dataUrl, 'POST', undefined, undefined, { DPoP: pending.dpop });
    if (res.status === 200) delivered = res;
    else {
      assert.equal(res.status, 202);
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after')) * 1000));
    }
  }
  assert.ok(delivered, 'the delivery became ready');
  assert.equal(delivered.headers.get('content-type'), 'application/jose');
  const jwe = await delivered.text();
  const header = decodeProtectedHeader(jwe);
  assert.deepEqual([header.alg, header.enc, header.kid], ['ECDH-ES+A256KW', 'A256GCM', service.keys.encryption.kid]);
  const { plaintext } = await compactDecrypt(jwe, service.keys.encryption.privateKey);
  const payload = JSON.parse(Buffer.from(plaintext).toString('utf8')) as {
    manifest: { transfer: string; service: string; datasets: Array<{ dataset: string; status: string; package?: { kid: string } }> };
    packages: Record<string, string>;
  };
  assert.equal(payload.manifest.transfer, transferId);
  assert.deepEqual(
    payload.manifest.datasets.map((d) => [d.dataset, d.status, d.package?.kid]),
    [
      ['income', 'ok', agency.kid],
      ['slow-income', 'ok', agency.kid],
    ],
  );
  const agencyKeys = createLocalJWKSet((await (await fetch(`${agency.url}/.well-known/jwks.json`)).json()) as { keys: [] });
  for (const [dataset, archive] of Object.entries(payload.packages)) {
    const verified = await verifyPackage(Buffer.from(archive, 'base64'), { keys: agencyKeys });
    assert.equal(verified.manifest.dataset, dataset);
    assert.match(verified.files.get('data.json')?.toString('utf8') ?? '', new RegExp(NAME), 'the records arrive unchanged');
  }

  const again = await client.fetchProtectedResource(config, tokens.access_token, dataUrl, 'POST', undefined, undefined, { DPoP: pending.dpop }).then(
    (res) => res.status,
    (error: unknown) => (error as { status?: number }).status,
  );
  assert.equal(again, 401, 'the token fails once its delivery was taken');
});

test('the ledger, the history, the transfers page and the notice say who received what, when, why', async () => {
  const history = (await (await person.get('/api/v1/me/history')).json()) as {
    entries: Array<{ entry: { action: string; recipient: string; datasets: string[]; purpose: string; actor: { kind: string; id: string } } }>;
  };
  const transfer = history.entries.find((e) => e.entry.action === 'transfer_to_service');
  assert.ok(transfer, 'a transfer_to_service entry');
  assert.deepEqual(transfer.entry.actor, { kind: 'service', id: 'test-bank' });
  assert.equal(transfer.entry.recipient, 'loan-check');
  assert.deepEqual(transfer.entry.datasets, ['income', 'slow-income']);
  assert.equal(transfer.entry.purpose, '測試用途 / Testing');
  for (const action of ['consent_granted', 'consent_used', 'agency_request', 'agency_outcome', 'package_built'])
    assert.ok(
      history.entries.some((e) => e.entry.action === action && (e.entry.recipient === 'loan-check' || action === 'agency_request')),
      action,
    );
  const page = await (await person.get('/history?lang=en')).text();
  assert.match(
    page,
    /Transfer to service<\/td><td>Data set income、Data set slow-income<\/td><td>Test provider test-bank, Test service loan-check \(purpose: Testing\)<\/td>/,
  );
  const transfers = await (await person.get('/services/transfers')).text();
  assert.match(transfers, /已交給服務/);
  const receipt = await person.get(`/services/transfers/${transferId}/receipt`);
  assert.equal(receipt.status, 200);
  const claims = JSON.parse(Buffer.from((await receipt.text()).split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  assert.match(JSON.stringify(claims), /loan-check/, 'the receipt names the service as the recipient');
  assert.equal(notices.length, 1, 'one notice after the transfer');
  assert.equal(notices[0]?.kind, 'transfer');
  assert.equal(notices[0]?.to, EMAIL);
  assert.equal(notices[0]?.recipient?.en, 'Test provider test-bank, Test service loan-check');
});

test('nothing personal in any table, the database files or the logs', async () => {
  const tables =
    t.hub.engine === 'postgres'
      ? (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(t.hub.db)).rows
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(t.hub.db)).rows;
  let cells = 0;
  for (const { name } of tables) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(t.hub.db)).rows;
    for (const row of rows)
      for (const [column, value] of Object.entries(row)) {
        cells += 1;
        assert.equal(holdsNeedle(value), undefined, `${name}.${column} holds personal data`);
      }
  }
  assert.ok(cells > 200, `scanned ${cells} cells`);
  const transfer = await t.hub.db.selectFrom('service_transfers').selectAll().where('retrieval_id', '=', transferId).executeTakeFirstOrThrow();
  assert.equal(transfer.ciphertext, null, 'the delivery was deleted when taken');
  if (t.hub.engine === 'sqlite') {
    for (const file of readdirSync(t.database.dataDir).filter((f) => f.startsWith('hub.sqlite')))
      assert.equal(holdsNeedle(readFileSync(join(t.database.dataDir, file))), undefined, `${file} holds personal data`);
  }
  assert.equal(holdsNeedle(t.logs()), undefined, 'the logs hold personal data');
});
