// The mock IdP on its own, as an OpenID provider any relying party could use: discovery, PKCE
// required, the sign-in page (accessible, clear messages, no 500s) and the ID token's claims.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { checkPersonIdentifier } from '@openmydata/protocol';
import { LOA_MOBILE_ID } from '../../src/idp/claims.ts';
import { type RunningMockIdp, startMockIdp } from '../../src/idp/mock-idp.ts';
import { CITIZENS, DEMO_PERSONAS, findCitizen } from '../../src/population/citizens.ts';
import { Browser, confirmationCodeOn, openSignInPage, type Page, submitSignIn } from './browser.ts';

const CLIENT_ID = 'rp';
const SECRET = 'mock-idp-test-client-secret';
const REDIRECT_URI = 'http://localhost:3000/login/oidc/callback';
const WANG = DEMO_PERSONAS[0]?.nationalId ?? '';

let idp: RunningMockIdp;
before(async () => {
  idp = await startMockIdp({ port: 0, clients: [{ client_id: CLIENT_ID, client_secret: SECRET, redirect_uris: [REDIRECT_URI], client_name: '測試服務' }] });
});
after(() => idp.close());

interface Pkce {
  verifier: string;
  challenge: string;
}

function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizationUrl(params: Record<string, string | undefined>): string {
  const url = new URL(`${idp.issuer}/auth`);
  const all: Record<string, string | undefined> = {
    client_id: CLIENT_ID,
    response_type: 'code',
    scope: 'openid national_id',
    redirect_uri: REDIRECT_URI,
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    ...params,
  };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}

async function signInPage(browser = new Browser()): Promise<{ browser: Browser; page: Page }> {
  const { challenge } = pkce();
  const page = await openSignInPage(browser, authorizationUrl({ code_challenge: challenge, code_challenge_method: 'S256' }), idp.url);
  return { browser, page };
}

/** A national ID with a good checksum that belongs to no demo citizen. */
function unknownButValidId(): string {
  for (let n = 10000000; n < 10001000; n++) {
    for (let check = 0; check < 10; check++) {
      const candidate = `Z1${String(n).slice(1)}${check}`;
      if (checkPersonIdentifier(candidate).ok && !findCitizen(candidate)) return candidate;
    }
  }
  throw new Error('no candidate');
}

function redeem(code: string, codeVerifier: string): Promise<Response> {
  return fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: codeVerifier }),
  });
}

function decodeJwt(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

describe('discovery', () => {
  test('advertises the code flow, PKCE S256 only, the national_id scope, the mobile ID acr and pairwise subjects', async () => {
    const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    assert.equal(response.status, 200);
    const metadata = (await response.json()) as Record<string, unknown>;
    assert.equal(metadata.issuer, idp.issuer);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(metadata.acr_values_supported, [LOA_MOBILE_ID]);
    assert.deepEqual(metadata.subject_types_supported, ['pairwise']);
    assert.ok((metadata.scopes_supported as string[]).includes('national_id'));
    assert.ok((metadata.claims_supported as string[]).includes('national_id'));
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    const jwks = (await (await fetch(String(metadata.jwks_uri))).json()) as { keys: Array<Record<string, unknown>> };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.alg, 'ES256');
    assert.equal(jwks.keys[0]?.d, undefined, 'no private key material is published');
  });

  test('answers /healthz for the launcher', async () => {
    const response = await fetch(`${idp.url}/healthz`);
    assert.equal(response.status, 200);
  });
});

describe('PKCE is required', () => {
  for (const [what, params] of [
    ['without a code challenge', {}],
    ['with the plain method', { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }],
  ] as const) {
    test(`an authorization request ${what} is refused`, async () => {
      const result = await new Browser().visit(authorizationUrl(params), idp.url);
      assert.ok('leftTo' in result, 'the error goes back to the relying party');
      assert.equal(result.leftTo.searchParams.get('error'), 'invalid_request');
      assert.equal(result.leftTo.searchParams.has('code'), false);
    });
  }

  test('an unregistered redirect URI gets an error page at the IdP, not a redirect', async () => {
    const { challenge } = pkce();
    const result = await new Browser().visit(
      authorizationUrl({ redirect_uri: 'https://evil.example/cb', code_challenge: challenge, code_challenge_method: 'S256' }),
      idp.url,
    );
    assert.ok('page' in result);
    assert.equal(result.page.status, 400);
    assert.match(result.page.html, /<html lang="zh-Hant-TW">/);
    assert.match(result.page.html, /redirect_uri/);
  });
});

describe('the sign-in page', () => {
  test('has a language, a title, a main landmark, a label for every input, no script, and a strict CSP', async () => {
    const { page } = await signInPage();
    const { html } = page;
    assert.match(html, /^<!DOCTYPE html>\n<html lang="zh-Hant-TW">/);
    assert.match(html, /<title>[^<]+<\/title>/);
    assert.match(html, /<main>/);
    assert.match(html, /<h1>/);
    assert.match(html, /lang="en"/);
    assert.doesNotMatch(html, /<script/i);
    const inputs = [...html.matchAll(/<input\b[^>]*>/g)].map((m) => m[0]);
    assert.equal(inputs.length, 2);
    for (const input of inputs) {
      const id = /\bid="([^"]+)"/.exec(input)?.[1];
      assert.ok(id, `input has an id: ${input}`);
      assert.match(html, new RegExp(`<label for="${id}">`), `label for ${id}`);
      assert.match(input, /aria-describedby="[^"]+"/);
    }
    for (const button of html.matchAll(/<button\b[^>]*>([\s\S]*?)<\/button>/g)) assert.ok((button[1] ?? '').trim().length > 0, 'buttons have text');
    assert.match(confirmationCodeOn(html), /^\d{3} \d{3}$/);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.match(html, /測試服務 請您以行動身分識別登入/);
  });

  test('a national ID with a bad checksum gets a clear 400 page, the field marked and the value kept', async () => {
    const { browser, page } = await signInPage();
    const result = await submitSignIn(browser, page, idp.url, 'A123456788');
    assert.ok('page' in result);
    assert.equal(result.page.status, 400);
    assert.match(result.page.html, /檢查碼不正確/);
    assert.match(result.page.html, /check digit of this national ID number is wrong/);
    assert.match(result.page.html, /role="alert"/);
    assert.match(result.page.html, /id="national_id"[^>]*value="A123456788"[^>]*aria-describedby="national_id-hint national_id-error" aria-invalid="true"/);
  });

  test('a national ID of the wrong shape gets its own message', async () => {
    const { browser, page } = await signInPage();
    for (const typed of ['', 'A12345', '1234567890', '<script>']) {
      const result = await submitSignIn(browser, page, idp.url, typed);
      assert.ok('page' in result);
      assert.equal(result.page.status, 400);
      assert.match(result.page.html, /1 個英文字母加 9 個數字/);
      assert.doesNotMatch(result.page.html, /<script>/, 'what was typed is escaped');
    }
  });

  test('a wrong confirmation code is refused with a message on the code field', async () => {
    const { browser, page } = await signInPage();
    const code = confirmationCodeOn(page.html).replace(' ', '');
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const result = await submitSignIn(browser, page, idp.url, WANG, wrong);
    assert.ok('page' in result);
    assert.equal(result.page.status, 400);
    assert.match(result.page.html, /確認碼不符/);
    assert.match(result.page.html, /id="confirmation_code"[^>]*aria-invalid="true"/);
    // The person can still correct it on the same page.
    const retry = await submitSignIn(browser, result.page, idp.url, WANG, code);
    assert.ok('leftTo' in retry);
  });

  test('a valid ID that is not a demo citizen is refused with a clear message', async () => {
    const stranger = unknownButValidId();
    assert.equal(
      CITIZENS.some((c) => c.nationalId === stranger),
      false,
    );
    const { browser, page } = await signInPage();
    const result = await submitSignIn(browser, page, idp.url, stranger);
    assert.ok('page' in result);
    assert.equal(result.page.status, 403);
    assert.match(result.page.html, /尚未啟用行動身分識別/);
    assert.match(result.page.html, /no mobile ID registered/);
  });

  test('an interaction without its cookie, or an unknown one, gets a 400 page, not a 500', async () => {
    const { page } = await signInPage();
    const stranger = new Browser();
    const get = await stranger.request(page.url);
    assert.equal(get.status, 400);
    assert.match(await get.text(), /登入要求已失效/);
    const post = await stranger.request(new URL(`${page.url.pathname}/login`, page.url), { form: { national_id: WANG, confirmation_code: '000000' } });
    assert.equal(post.status, 400);
    const unknown = await stranger.request(`${idp.url}/interaction/does-not-exist`);
    assert.equal(unknown.status, 400);
    const nonsense = await stranger.request(`${idp.url}/interaction/a/b/c`);
    assert.equal(nonsense.status, 404);
  });

  test('an oversized form is refused with 413', async () => {
    const { browser, page } = await signInPage();
    const response = await browser.request(new URL(`${page.url.pathname}/login`, page.url), { form: { national_id: 'A'.repeat(10_000) } });
    assert.equal(response.status, 413);
  });
});

describe('no silent sign-in', () => {
  test('a second request from the same browser is confirmed in the app again, even without prompt=login', async () => {
    const browser = new Browser();
    for (let round = 0; round < 2; round++) {
      const { challenge } = pkce();
      const page = await openSignInPage(browser, authorizationUrl({ code_challenge: challenge, code_challenge_method: 'S256' }), idp.url);
      const result = await submitSignIn(browser, page, idp.url, WANG);
      assert.ok('leftTo' in result, `round ${round}`);
      assert.ok(result.leftTo.searchParams.get('code'));
    }
  });

  test('prompt=none cannot get a code without the person', async () => {
    const browser = new Browser();
    const { challenge } = pkce();
    const page = await openSignInPage(browser, authorizationUrl({ code_challenge: challenge, code_challenge_method: 'S256' }), idp.url);
    assert.ok('leftTo' in (await submitSignIn(browser, page, idp.url, WANG)));
    const silent = await browser.visit(authorizationUrl({ code_challenge: challenge, code_challenge_method: 'S256', prompt: 'none' }), idp.url);
    assert.ok('leftTo' in silent);
    assert.equal(silent.leftTo.searchParams.get('error'), 'login_required');
    assert.equal(silent.leftTo.searchParams.has('code'), false);
  });
});

describe('tokens', () => {
  test('a code redeemed with the wrong PKCE verifier is refused', async () => {
    const browser = new Browser();
    const { challenge } = pkce();
    const page = await openSignInPage(browser, authorizationUrl({ code_challenge: challenge, code_challenge_method: 'S256' }), idp.url);
    const result = await submitSignIn(browser, page, idp.url, WANG);
    assert.ok('leftTo' in result);
    const response = await redeem(result.leftTo.searchParams.get('code') ?? '', pkce().verifier);
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_grant');
  });

  test('the ID token carries an opaque sub, national_id, acr level 2, amr mobile and the nonce', async () => {
    const browser = new Browser();
    const { verifier, challenge } = pkce();
    const nonce = randomBytes(16).toString('base64url');
    const page = await openSignInPage(browser, authorizationUrl({ code_challenge: challenge, code_challenge_method: 'S256', nonce }), idp.url);
    const result = await submitSignIn(browser, page, idp.url, WANG);
    assert.ok('leftTo' in result);
    const response = await redeem(result.leftTo.searchParams.get('code') ?? '', verifier);
    assert.equal(response.status, 200);
    const claims = decodeJwt(((await response.json()) as { id_token: string }).id_token);
    assert.equal(claims.national_id, WANG);
    assert.equal(claims.acr, LOA_MOBILE_ID);
    assert.deepEqual(claims.amr, ['mobile']);
    assert.equal(claims.nonce, nonce);
    assert.equal(claims.aud, CLIENT_ID);
    assert.equal(claims.iss, idp.issuer);
    assert.ok(typeof claims.sub === 'string' && claims.sub.length >= 20 && !claims.sub.includes(WANG));
  });
});

describe('configuration', () => {
  test('a client needs exactly one of a secret or keys, and a redirect URI', async () => {
    await assert.rejects(startMockIdp({ port: 0, clients: [{ client_id: 'x', redirect_uris: [REDIRECT_URI] }] }), /exactly one/);
    await assert.rejects(startMockIdp({ port: 0, clients: [{ client_id: 'x', client_secret: 's', redirect_uris: [] }] }), /redirect URI/);
  });
});
