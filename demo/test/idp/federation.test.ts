// The hub's OIDC method against the demo's mock IdP, end to end over real HTTP on 127.0.0.1: start()
// -> the IdP's sign-in page -> national ID + confirmation code -> callback -> finish().
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createOidcMethod, IdentityError, type OidcMethod } from '@openmydata/hub';
import { type RunningMockIdp, startMockIdp } from '../../src/idp/mock-idp.ts';
import { DEMO_PERSONAS } from '../../src/population/citizens.ts';
import { Browser, formAction, openSignInPage, signInAtIdp } from './browser.ts';

const SECRET = 'federation-test-client-secret';
const REDIRECT_URI = 'http://localhost:3000/login/oidc/callback';
const OTHER_REDIRECT_URI = 'http://127.0.0.1:4999/login/oidc/callback';
const [WANG, LIN] = DEMO_PERSONAS as readonly [(typeof DEMO_PERSONAS)[number], (typeof DEMO_PERSONAS)[number]];

let idp: RunningMockIdp;
let hub: OidcMethod;
let otherKey: webcrypto.CryptoKey;

before(async () => {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  otherKey = pair.privateKey;
  const publicJwk = { ...(await webcrypto.subtle.exportKey('jwk', pair.publicKey)), kid: 'other-1', alg: 'ES256', use: 'sig' };
  idp = await startMockIdp({
    port: 0,
    clients: [
      { client_id: 'openmydata-hub', client_secret: SECRET, redirect_uris: [REDIRECT_URI], client_name: 'OpenMyData' },
      { client_id: 'other-service', jwks: { keys: [publicJwk] }, redirect_uris: [OTHER_REDIRECT_URI] },
    ],
  });
  hub = createOidcMethod({ issuer: idp.issuer, clientId: 'openmydata-hub', clientSecret: SECRET, redirectUri: REDIRECT_URI });
});
after(() => idp.close());

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof IdentityError, String(error));
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.detail}`);
    return true;
  });
}

describe('sign-in with the mock mobile ID', () => {
  test('the full code flow gives level 2 and the citizen national ID; the reference holds no ID', async () => {
    const { url, state } = await hub.start();
    assert.ok(url.startsWith(`${idp.issuer}/auth?`));
    const callback = await signInAtIdp(url, idp.url, WANG.nationalId);
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI);
    assert.equal(callback.searchParams.get('iss'), idp.issuer);
    const identity = await hub.finish(callback, state);
    assert.equal(identity.method, 'oidc');
    assert.equal(identity.level, 2);
    assert.equal(identity.nationalId, WANG.nationalId);
    assert.ok(Math.abs(identity.verifiedAt.getTime() - Date.now()) < 60_000);
    assert.match(identity.reference, new RegExp(`^oidc:${idp.issuer.replace(/[.:/]/g, '\\$&')}:[A-Za-z0-9_-]{20,}$`));
    assert.ok(!identity.reference.includes(WANG.nationalId));
    assert.ok(!identity.reference.includes(WANG.name));
  });

  test('lower-case input is accepted and normalised; each person gets a stable, distinct subject', async () => {
    const subjects: string[] = [];
    for (const id of [LIN.nationalId.toLowerCase(), LIN.nationalId, WANG.nationalId]) {
      const { url, state } = await hub.start();
      const identity = await hub.finish(await signInAtIdp(url, idp.url, id), state);
      subjects.push(identity.reference);
      if (id !== WANG.nationalId) assert.equal(identity.nationalId, LIN.nationalId);
    }
    assert.equal(subjects[0], subjects[1]);
    assert.notEqual(subjects[1], subjects[2]);
  });

  test('every sign-in goes through the app again, even in the same browser', async () => {
    const browser = new Browser();
    const first = await hub.start();
    await hub.finish(await signInAtIdp(first.url, idp.url, WANG.nationalId, browser), first.state);
    const second = await hub.start();
    const page = await openSignInPage(browser, second.url, idp.url);
    assert.match(page.html, /name="national_id"/);
  });

  test('another relying party (private_key_jwt) sees another subject for the same person', async () => {
    const other = createOidcMethod({
      issuer: idp.issuer,
      clientId: 'other-service',
      clientPrivateKey: { key: otherKey, kid: 'other-1' },
      redirectUri: OTHER_REDIRECT_URI,
    });
    const a = await hub.start();
    const b = await other.start();
    const mine = await hub.finish(await signInAtIdp(a.url, idp.url, WANG.nationalId), a.state);
    const theirs = await other.finish(await signInAtIdp(b.url, idp.url, WANG.nationalId), b.state);
    assert.equal(theirs.nationalId, WANG.nationalId);
    assert.notEqual(mine.reference.split(':').at(-1), theirs.reference.split(':').at(-1));
  });
});

describe('refused answers', () => {
  test('a callback with the wrong state is refused', async () => {
    const { url, state } = await hub.start();
    const callback = await signInAtIdp(url, idp.url, WANG.nationalId);
    const forged = new URL(callback);
    forged.searchParams.set('state', 'A'.repeat(43));
    await rejectsWith(hub.finish(forged, state), 'state_mismatch');
    // Nor does another sign-in's state fit.
    const other = await hub.start();
    await rejectsWith(hub.finish(callback, other.state), 'state_mismatch');
  });

  test('a tampered code is refused, and so is a code used twice', async () => {
    const first = await hub.start();
    const callback = await signInAtIdp(first.url, idp.url, WANG.nationalId);
    const tampered = new URL(callback);
    const code = tampered.searchParams.get('code') ?? '';
    tampered.searchParams.set('code', `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`);
    await rejectsWith(hub.finish(tampered, first.state), 'response_invalid');

    const second = await hub.start();
    const good = await signInAtIdp(second.url, idp.url, WANG.nationalId);
    await hub.finish(good, second.state);
    await rejectsWith(hub.finish(good, second.state), 'response_invalid');
  });

  test('a code presented with another PKCE verifier is refused', async () => {
    const { url, state } = await hub.start();
    const callback = await signInAtIdp(url, idp.url, WANG.nationalId);
    const other = await hub.start();
    await rejectsWith(hub.finish(callback, { ...state, codeVerifier: other.state.codeVerifier }), 'response_invalid');
  });

  test('cancelling at the IdP comes back as access_denied: idp_denied', async () => {
    const browser = new Browser();
    const { url, state } = await hub.start();
    const page = await openSignInPage(browser, url, idp.url);
    const result = await browser.visit(new URL(formAction(page.html, '/abort'), page.url), idp.url, { form: {} });
    assert.ok('leftTo' in result);
    assert.equal(result.leftTo.searchParams.get('error'), 'access_denied');
    await rejectsWith(hub.finish(result.leftTo, state), 'idp_denied');
  });
});

describe('IdP down', () => {
  test('start and finish report idp_unavailable', async () => {
    const secondIdp = await startMockIdp({ port: 0, clients: [{ client_id: 'openmydata-hub', client_secret: SECRET, redirect_uris: [REDIRECT_URI] }] });
    const method = createOidcMethod({
      issuer: secondIdp.issuer,
      clientId: 'openmydata-hub',
      clientSecret: SECRET,
      redirectUri: REDIRECT_URI,
      timeoutSeconds: 10,
    });
    const { url, state } = await method.start();
    const callback = await signInAtIdp(url, secondIdp.url, WANG.nationalId);
    await secondIdp.close();
    await rejectsWith(method.finish(callback, state), 'idp_unavailable');
    const fresh = createOidcMethod({
      issuer: secondIdp.issuer,
      clientId: 'openmydata-hub',
      clientSecret: SECRET,
      redirectUri: REDIRECT_URI,
      timeoutSeconds: 10,
    });
    await rejectsWith(fresh.start(), 'idp_unavailable');
  });
});
