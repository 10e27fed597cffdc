// Mode 3's refusals, each with a clear OAuth (or problem+json) error and nothing left behind: what a
// service asks for outside its registration, a redirect URI it never registered, no PAR, no PKCE,
// the wrong client key, expired and replayed client assertions, a replayed code, a second data call,
// a missing, foreign or replayed DPoP proof, a Bearer token, a service whose keys cannot be fetched
// or whose webhook is down, a refused consent, a transfer revoked before the service took it; and
// 50 concurrent redemptions of one code, 50 concurrent data calls with one token: one success each.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { generateKeyPair, jwtVerify, createRemoteJWKSet, SignJWT } from 'jose';
import * as client from 'openid-client';
import { type FakeAgency, goodPackage, startFakeAgency, zipAnswer } from '../helpers/fake-agency.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { type PortalClient, signedIn } from '../helpers/portal-client.ts';
import { testRegistry } from '../helpers/registry.ts';
import {
  clientConfig,
  dpopProof,
  freePort,
  type Pending,
  pushAuthorization,
  registerService,
  type TestService,
  visitPortal,
} from '../helpers/service-client.ts';

let t: TestHub;
let agency: FakeAgency;
let service: TestService;
let config: client.Configuration;
let person: PortalClient;
let issuer = '';
let dataUrl = '';

before(async () => {
  agency = await startFakeAgency('household-office');
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, info)));
  const port = await freePort();
  t = await startTestHub({
    registry: testRegistry([{ id: 'household-office', baseUrl: agency.url, datasets: ['household', 'welfare', 'land'] }]),
    env: { HUB_PORT: String(port), HUB_PUBLIC_URL: `http://localhost:${port}` },
  });
  issuer = t.hub.config.publicUrl;
  dataUrl = `${issuer}/api/v1/service/data`;
  service = await registerService(t.hub, { clientId: 'scholarships', serviceId: 'grant-application', datasets: ['household', 'welfare'] });
  config = await clientConfig(issuer, service);
  person = await signedIn(t.hub, issuer, 'B287654326', 1);
});

after(async () => {
  await t?.stop();
  await agency?.close();
});

async function countRecords(model: string): Promise<number> {
  const row = await t.hub.db
    .selectFrom('oauth_records')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('model', '=', model)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function assertionFor(s: TestService, options: { key?: Parameters<SignJWT['sign']>[0]; exp?: number; jti?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: s.keys.signing.kid })
    .setIssuer(s.clientId)
    .setSubject(s.clientId)
    .setAudience(issuer)
    .setJti(options.jti ?? randomUUID())
    .setIssuedAt(now - 5)
    .setExpirationTime(options.exp ?? now + 60)
    .sign(options.key ?? s.keys.signing.privateKey);
}

/** A pushed authorization request made by hand, so each test can break one part of it. */
async function rawPar(params: Record<string, string | undefined>, assertion?: string): Promise<{ status: number; body: Record<string, string> }> {
  const form = new URLSearchParams();
  const all: Record<string, string | undefined> = {
    client_id: service.clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion ?? (await assertionFor(service)),
    response_type: 'code',
    redirect_uri: service.redirectUri,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 'xyz',
    authorization_details: JSON.stringify([{ type: 'openmydata_transfer', service: service.serviceId, datasets: ['household'] }]),
    ...params,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) form.set(k, v);
  const res = await fetch(`${issuer}/oauth/par`, { method: 'POST', body: form, headers: { accept: 'application/json' } });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

test('a data set outside the service, or another client’s service, is refused at PAR and nothing is stored', async () => {
  const before = await countRecords('PushedAuthorizationRequest');
  const outside = await rawPar({ authorization_details: JSON.stringify([{ type: 'openmydata_transfer', service: service.serviceId, datasets: ['land'] }]) });
  assert.equal(outside.status, 400);
  assert.equal(outside.body.error, 'invalid_authorization_details');
  assert.match(outside.body.error_description ?? '', /data set land is not registered for service grant-application/);
  const other = await registerService(t.hub, { clientId: 'other-client', serviceId: 'other-service', datasets: ['land'] });
  const foreign = await rawPar({ authorization_details: JSON.stringify([{ type: 'openmydata_transfer', service: other.serviceId, datasets: ['land'] }]) });
  assert.equal(foreign.body.error, 'invalid_authorization_details');
  assert.match(foreign.body.error_description ?? '', /not registered for this client/);
  const none = await rawPar({ authorization_details: undefined });
  assert.equal(none.body.error, 'invalid_request');
  assert.match(none.body.error_description ?? '', /authorization_details must hold exactly one openmydata_transfer detail/);
  const unknownType = await rawPar({ authorization_details: JSON.stringify([{ type: 'payment_initiation' }]) });
  assert.equal(unknownType.body.error, 'invalid_authorization_details');
  const openid = await rawPar({ scope: 'openid' });
  assert.equal(openid.body.error, 'invalid_scope');
  assert.equal(await countRecords('PushedAuthorizationRequest'), before, 'no pushed request was stored');
});

test('an unregistered redirect URI and a request without PKCE are refused at PAR', async () => {
  const redirect = await rawPar({ redirect_uri: 'https://attacker.example.test/callback' });
  assert.equal(redirect.status, 400);
  assert.ok(['invalid_request', 'invalid_redirect_uri'].includes(redirect.body.error ?? ''), redirect.body.error);
  assert.match(redirect.body.error_description ?? '', /redirect_uri/);
  const noPkce = await rawPar({ code_challenge: undefined, code_challenge_method: undefined });
  assert.equal(noPkce.status, 400);
  assert.equal(noPkce.body.error, 'invalid_request');
  assert.match(noPkce.body.error_description ?? '', /PKCE/);
  const plain = await rawPar({ code_challenge_method: 'plain' });
  assert.equal(plain.body.error, 'invalid_request');
});

test('an authorization request that was not pushed is refused', async () => {
  const url = new URL(`${issuer}/oauth/authorize`);
  for (const [k, v] of Object.entries({
    client_id: service.clientId,
    response_type: 'code',
    redirect_uri: service.redirectUri,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 'xyz',
    authorization_details: JSON.stringify([{ type: 'openmydata_transfer', service: service.serviceId, datasets: ['household'] }]),
  }))
    url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
  const location = res.headers.get('location');
  const text = await res.text();
  const said = location ? new URL(location).searchParams : undefined;
  assert.ok(
    (said?.get('error') === 'invalid_request' && /pushed authorization request/i.test(said.get('error_description') ?? '')) ||
      (res.status === 400 && /Pushed Authorization Request must be used/i.test(text)),
    `refused as not pushed: ${res.status} ${location ?? text.slice(0, 300)}`,
  );
  const unknown = await fetch(`${issuer}/oauth/authorize?client_id=${service.clientId}&request_uri=urn:ietf:params:oauth:request_uri:nope`, {
    headers: { accept: 'text/html' },
    redirect: 'manual',
  });
  const unknownText = await unknown.text();
  assert.ok(unknown.status === 400 || unknown.status === 303, `${unknown.status}`);
  if (unknown.status === 400) assert.match(unknownText, /invalid_request_uri|無法處理此授權請求/);
});

test('the wrong client key, an expired assertion and a replayed assertion are refused with invalid_client', async () => {
  const stranger = await generateKeyPair('ES256');
  const wrongKey = await rawPar({}, await assertionFor(service, { key: stranger.privateKey }));
  assert.equal(wrongKey.status, 401);
  assert.equal(wrongKey.body.error, 'invalid_client');
  const expired = await rawPar({}, await assertionFor(service, { exp: Math.floor(Date.now() / 1000) - 120 }));
  assert.equal(expired.status, 401);
  assert.equal(expired.body.error, 'invalid_client');
  const once = await assertionFor(service);
  assert.equal((await rawPar({}, once)).status, 201, 'the first use of an assertion works');
  const replayed = await rawPar({}, once);
  assert.equal(replayed.status, 401);
  assert.equal(replayed.body.error, 'invalid_client');
  assert.match(t.logs(), /client assertion tokens must only be used once/, 'the operator’s log says why');
});

/** One consented authorization, up to the code. */
async function authorize(s = service, datasets?: string[]): Promise<{ pending: Pending; callback: URL }> {
  const pending = await pushAuthorization(s === service ? config : await clientConfig(issuer, s), s, datasets);
  const visit = await visitPortal(pending.url, person, 'agree');
  return { pending, callback: visit.callback };
}

async function redeem(pending: Pending, callback: URL, c = config) {
  return client.authorizationCodeGrant(c, callback, { pkceCodeVerifier: pending.verifier, expectedState: pending.state }, undefined, { DPoP: pending.dpop });
}

async function untilReady(transfer: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const row = await t.hub.db.selectFrom('service_transfers').select('status').where('retrieval_id', '=', transfer).executeTakeFirst();
    if (row && row.status !== 'waiting') return row.status;
    if (Date.now() > deadline) throw new Error('the transfer did not end');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function transferOf(tokens: { authorization_details?: unknown }): string {
  return ((tokens.authorization_details as Array<{ transfer: string }>)[0]?.transfer ?? '') as string;
}

async function dataCall(token: string, headers: Record<string, string>) {
  const res = await fetch(dataUrl, { method: 'POST', headers: { authorization: `DPoP ${token}`, ...headers } });
  const challenge = res.headers.get('www-authenticate') ?? '';
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? ((await res.json()) as Record<string, unknown>) : { text: await res.text() };
  return { status: res.status, challenge, body };
}

test('a replayed code is refused, and the tokens of that code stop working', async () => {
  const { pending, callback } = await authorize();
  const tokens = await redeem(pending, callback);
  await assert.rejects(redeem(pending, callback), (error: { error?: string }) => error.error === 'invalid_grant');
  await untilReady(transferOf(tokens));
  const after = await dataCall(tokens.access_token, {
    dpop: await dpopProof(pending.dpopKey, { htm: 'POST', htu: dataUrl, accessToken: tokens.access_token }),
  });
  assert.equal(after.status, 401, 'the grant was revoked when its code was replayed');
  assert.equal(after.body.error, 'invalid_token');
});

test('DPoP: no proof, a Bearer token, a proof by another key, a stale or wrong proof, a replayed proof', async () => {
  const { pending, callback } = await authorize();
  const tokens = await redeem(pending, callback);
  const token = tokens.access_token;
  await untilReady(transferOf(tokens));
  const none = await dataCall(token, {});
  assert.equal(none.status, 401);
  assert.equal(none.body.error, 'invalid_dpop_proof');
  assert.match(none.challenge, /^DPoP error="invalid_dpop_proof"/);
  const bearer = await fetch(dataUrl, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  assert.equal(bearer.status, 401);
  assert.match(((await bearer.json()) as { error_description: string }).error_description, /DPoP-bound/);
  const other = await client.randomDPoPKeyPair('ES256');
  const foreign = await dataCall(token, { dpop: await dpopProof(other, { htm: 'POST', htu: dataUrl, accessToken: token }) });
  assert.equal(foreign.body.error, 'invalid_dpop_proof');
  assert.match(String(foreign.body.error_description), /key other than the one this access token is bound to/);
  const stale = await dataCall(token, {
    dpop: await dpopProof(pending.dpopKey, { htm: 'POST', htu: dataUrl, accessToken: token, iat: Math.floor(Date.now() / 1000) - 600 }),
  });
  assert.match(String(stale.body.error_description), /iat/);
  const wrongUrl = await dataCall(token, { dpop: await dpopProof(pending.dpopKey, { htm: 'POST', htu: `${issuer}/elsewhere`, accessToken: token }) });
  assert.match(String(wrongUrl.body.error_description), /htu/);
  const noAth = await dataCall(token, { dpop: await dpopProof(pending.dpopKey, { htm: 'POST', htu: dataUrl }) });
  assert.match(String(noAth.body.error_description), /ath/);
  const proof = await dpopProof(pending.dpopKey, { htm: 'POST', htu: dataUrl, accessToken: token });
  const first = await dataCall(token, { dpop: proof });
  assert.equal(first.status, 200, 'none of the refused calls spent the delivery');
  const replay = await dataCall(token, { dpop: proof });
  assert.equal(replay.body.error, 'invalid_dpop_proof');
  assert.match(String(replay.body.error_description), /used before/);
  const second = await dataCall(token, { dpop: await dpopProof(pending.dpopKey, { htm: 'POST', htu: dataUrl, accessToken: token }) });
  assert.equal(second.status, 401, 'a second use of the access token fails');
  assert.equal(second.body.error, 'invalid_token');
  assert.match(String(second.body.error_description), /was used: its delivery was taken at .* and the hub keeps no copy/);
  const unknown = await dataCall('not-a-token', { dpop: await dpopProof(pending.dpopKey, { htm: 'POST', htu: dataUrl, accessToken: 'not-a-token' }) });
  assert.equal(unknown.body.error, 'invalid_token');
});

test('50 concurrent redemptions of one code: exactly one token', async () => {
  const { pending, callback } = await authorize();
  const results = await Promise.allSettled(Array.from({ length: 50 }, () => redeem(pending, callback)));
  const won = results.filter((r) => r.status === 'fulfilled');
  assert.equal(won.length, 1, `${won.length} redemptions succeeded`);
  for (const r of results)
    if (r.status === 'rejected') assert.equal((r.reason as { error?: string }).error, 'invalid_grant', String((r.reason as Error).message));
});

test('50 concurrent data calls with one token: exactly one delivery', async () => {
  const { pending, callback } = await authorize();
  const tokens = await redeem(pending, callback);
  assert.equal(await untilReady(transferOf(tokens)), 'ready');
  const proofs = await Promise.all(
    Array.from({ length: 50 }, () => dpopProof(pending.dpopKey, { htm: 'POST', htu: dataUrl, accessToken: tokens.access_token })),
  );
  const results = await Promise.all(proofs.map((proof) => dataCall(tokens.access_token, { dpop: proof })));
  assert.equal(results.filter((r) => r.status === 200).length, 1);
  for (const r of results.filter((x) => x.status !== 200)) {
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_token');
  }
});

test('a refused consent sends access_denied back to the service; no consent, no transfer', async () => {
  const consentsBefore = await t.hub.db.selectFrom('consents').select('id').execute();
  const pending = await pushAuthorization(config, service);
  const visit = await visitPortal(pending.url, person, 'refuse');
  assert.equal(visit.callback.searchParams.get('error'), 'access_denied');
  assert.equal(visit.callback.searchParams.get('state'), pending.state);
  assert.equal(visit.callback.searchParams.get('iss'), issuer);
  assert.equal(visit.callback.searchParams.get('code'), null);
  await assert.rejects(
    client.authorizationCodeGrant(config, visit.callback, { pkceCodeVerifier: pending.verifier, expectedState: pending.state }, undefined, {
      DPoP: pending.dpop,
    }),
    (error: { error?: string }) => error.error === 'access_denied',
  );
  const consentsAfter = await t.hub.db.selectFrom('consents').select('id').execute();
  assert.equal(consentsAfter.length, consentsBefore.length, 'nothing was granted');
  const history = (await (await person.get('/api/v1/me/history')).json()) as { entries: Array<{ entry: { action: string; recipient: string } }> };
  assert.ok(history.entries.some((e) => e.entry.action === 'consent_denied' && e.entry.recipient === service.serviceId));
});

test('a transfer the person revokes before the service takes it is deleted; the data call says so', async () => {
  const { pending, callback } = await authorize();
  const tokens = await redeem(pending, callback);
  const transfer = transferOf(tokens);
  await untilReady(transfer);
  const page = await (await person.get('/services/transfers')).text();
  assert.match(page, new RegExp(`/services/transfers/${transfer}/revoke`));
  const stranger = await signedIn(t.hub, issuer, 'A123456789', 1);
  const refused = await stranger.post(`/services/transfers/${transfer}/revoke`, {});
  assert.match(await refused.text(), /無法撤回/, 'only its owner may revoke it');
  const revoked = await person.post(`/services/transfers/${transfer}/revoke`, {});
  assert.match(await revoked.text(), /已撤回：加密的資料已刪除/);
  const row = await t.hub.db.selectFrom('service_transfers').selectAll().where('retrieval_id', '=', transfer).executeTakeFirstOrThrow();
  assert.equal(row.status, 'revoked');
  assert.equal(row.ciphertext, null);
  const call = await dataCall(tokens.access_token, { dpop: await dpopProof(pending.dpopKey, { htm: 'POST', htu: dataUrl, accessToken: tokens.access_token }) });
  assert.equal(call.status, 401);
  assert.match(String(call.body.error_description), /the person revoked this transfer/);
  const twice = await person.post(`/services/transfers/${transfer}/revoke`, {});
  assert.match(await twice.text(), /無法撤回/);
});

/** A service's keys (or webhook) on a server the test can take down. */
async function keyServer(jwks: unknown): Promise<{ url: string; up: boolean; hits: string[]; server: Server }> {
  const state = { url: '', up: true, hits: [] as string[], server: undefined as unknown as Server };
  state.server = createServer((req, res) => {
    state.hits.push(`${req.method} ${req.url}`);
    if (!state.up) {
      res.writeHead(503).end();
      return;
    }
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        state.hits.push(body);
        res.writeHead(204).end();
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((r) => state.server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

test('a service whose keys cannot be fetched gets no delivery: problem+json, nothing stored', async () => {
  const keys = await (await import('../helpers/service-client.ts')).serviceKeys();
  const server = await keyServer(keys.jwks);
  try {
    const s = await registerService(t.hub, { clientId: 'keyless', serviceId: 'keyless-service', datasets: ['household'], keys, jwksUri: `${server.url}/jwks` });
    const c = await clientConfig(issuer, s);
    const pending = await pushAuthorization(c, s);
    server.up = false;
    const visit = await visitPortal(pending.url, person, 'agree');
    const row = await (async () => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const found = await t.hub.db.selectFrom('service_transfers').selectAll().where('client_id', '=', 'keyless').executeTakeFirst();
        if (found && found.status !== 'waiting') return found;
        if (Date.now() > deadline) throw new Error('no end');
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    assert.equal(row.status, 'failed');
    assert.equal(row.failure, 'service_keys_unavailable');
    assert.equal(row.ciphertext, null, 'nothing was stored');
    server.up = true;
    const tokens = await redeem(pending, visit.callback, c);
    const call = await dataCall(tokens.access_token, {
      dpop: await dpopProof(pending.dpopKey, { htm: 'POST', htu: dataUrl, accessToken: tokens.access_token }),
    });
    assert.equal(call.status, 502);
    assert.equal(call.body.code, 'service_keys_unavailable');
    assert.match(String(call.body.detail), /could not get your encryption key/);
    assert.deepEqual(
      (call.body.datasets as Array<{ dataset: string; status: string }>).map((d) => [d.dataset, d.status]),
      [['household', 'ok']],
    );
    assert.match(t.logs(), /service delivery not built/);
  } finally {
    server.server.close();
  }
});

test('the webhook: a signed JWT when the delivery is ready; a webhook that is down changes nothing', async () => {
  const hook = await keyServer({});
  try {
    const s = await registerService(t.hub, { clientId: 'hooked', serviceId: 'hooked-service', datasets: ['household'], webhookUrl: `${hook.url}/hook` });
    const { pending, callback } = await authorize(s);
    const c = await clientConfig(issuer, s);
    const tokens = await redeem(pending, callback, c);
    const deadline = Date.now() + 20_000;
    while (!hook.hits.some((h) => h.startsWith('ey')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const jwt = hook.hits.find((h) => h.startsWith('ey')) ?? '';
    const { payload, protectedHeader } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${issuer}/oauth/jwks`)), {
      issuer,
      audience: 'hooked',
      typ: 'openmydata-webhook+jwt',
    });
    assert.equal(payload.event, 'delivery.ready');
    assert.equal(payload.transfer, transferOf(tokens));
    assert.equal(protectedHeader.alg, 'ES256');

    hook.up = false;
    const second = await authorize(s);
    const tokens2 = await redeem(second.pending, second.callback, c);
    await untilReady(transferOf(tokens2));
    const logDeadline = Date.now() + 20_000;
    while (!/service webhook not delivered/.test(t.logs()) && Date.now() < logDeadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(t.logs(), /service webhook not delivered/);
    const call = await dataCall(tokens2.access_token, {
      dpop: await dpopProof(second.pending.dpopKey, { htm: 'POST', htu: dataUrl, accessToken: tokens2.access_token }),
    });
    assert.equal(call.status, 200, 'the delivery does not depend on the webhook');
  } finally {
    hook.server.close();
  }
});
