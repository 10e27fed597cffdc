// The hub as OIDC relying party against a small fake provider over real HTTP on 127.0.0.1, so each
// check can be fed exactly the bad answer it must refuse. The end-to-end flow with the demo's mock
// IdP (oidc-provider) is in demo/test/idp/.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { ConfigError } from '../../src/config.ts';
import { createOidcMethod, OIDC_ERRORS, OIDC_PIPELINE, type OidcMethodOptions, oidcOptionsFromEnv } from '../../src/identity/oidc/index.ts';
import { IdentityError } from '../../src/identity/types.ts';

const CLIENT_ID = 'hub-test';
const CLIENT_SECRET = 'a-client-secret-for-tests';
const REDIRECT_URI = 'http://localhost:3000/login/oidc/callback';
const LOA2 = 'urn:openmydata:loa:2';
const PERSON = 'A123456789';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

interface PendingCode {
  nonce: string;
  challenge: string;
  claims: Record<string, unknown>;
  signWith: SigningKey | undefined;
}

/** A provider that issues codes on demand (no pages) and answers discovery, JWKS and token requests. */
class FakeProvider {
  issuer = '';
  tokenRequests = 0;
  /** When set, the token endpoint answers this instead. */
  tokenFailure: { status: number; body: Record<string, unknown> } | undefined;
  /** private_key_jwt: the client's public keys; otherwise client_secret_basic is expected. */
  clientJwks: { keys: JWK[] } | undefined;
  private readonly codes = new Map<string, PendingCode>();
  private server: Server | undefined;
  private key!: SigningKey;
  private jwk!: JWK;

  async start(port = 0): Promise<void> {
    const pair = await generateKeyPair('ES256', { extractable: true });
    this.key = pair.privateKey;
    this.jwk = { ...(await exportJWK(pair.publicKey)), kid: 'op-1', alg: 'ES256', use: 'sig' };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get port(): number {
    return Number(new URL(this.issuer).port);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** What a real provider does after the person signs in: a code bound to the request's PKCE challenge and nonce. */
  authorize(authorizationUrl: string, claims: Record<string, unknown> = {}, signWith?: SigningKey): URL {
    const request = new URL(authorizationUrl).searchParams;
    const code = randomBytes(16).toString('base64url');
    this.codes.set(code, { nonce: request.get('nonce') ?? '', challenge: request.get('code_challenge') ?? '', claims, signWith });
    const callback = new URL(request.get('redirect_uri') ?? REDIRECT_URI);
    callback.search = new URLSearchParams({ code, state: request.get('state') ?? '', iss: this.issuer }).toString();
    return callback;
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.issuer).pathname;
    if (path === '/.well-known/openid-configuration') {
      return this.send(res, 200, {
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/auth`,
        token_endpoint: `${this.issuer}/token`,
        jwks_uri: `${this.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
        authorization_response_iss_parameter_supported: true,
        acr_values_supported: [LOA2],
      });
    }
    if (path === '/jwks') return this.send(res, 200, { keys: [this.jwk] });
    if (path === '/token' && req.method === 'POST') return this.token(req, res);
    return this.send(res, 404, { error: 'not_found' });
  }

  private async clientAuthenticated(req: IncomingMessage, form: URLSearchParams): Promise<boolean> {
    if (this.clientJwks) {
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return false;
      try {
        const { payload } = await jwtVerify(form.get('client_assertion') ?? '', createLocalJWKSet(this.clientJwks), { issuer: CLIENT_ID, subject: CLIENT_ID });
        return payload.aud !== undefined;
      } catch {
        return false;
      }
    }
    // RFC 6749 2.3.1: id and secret are form-urlencoded before base64.
    const [scheme, encoded] = (req.headers.authorization ?? '').split(' ');
    const [id, secret] = Buffer.from(encoded ?? '', 'base64')
      .toString()
      .split(':')
      .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
    return scheme === 'Basic' && id === CLIENT_ID && secret === CLIENT_SECRET;
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.tokenRequests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString());
    if (this.tokenFailure) return this.send(res, this.tokenFailure.status, this.tokenFailure.body);
    if (!(await this.clientAuthenticated(req, form))) return this.send(res, 401, { error: 'invalid_client' });
    const code = form.get('code') ?? '';
    const pending = this.codes.get(code);
    this.codes.delete(code);
    if (!pending) return this.send(res, 400, { error: 'invalid_grant', error_description: 'unknown or used code' });
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) {
      return this.send(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
    }
    if (form.get('redirect_uri') !== REDIRECT_URI) return this.send(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri mismatch' });
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: CLIENT_ID,
      sub: 'opaque-subject-1',
      iat: now,
      exp: now + 300,
      auth_time: now,
      nonce: pending.nonce,
      acr: LOA2,
      amr: ['mobile'],
      national_id: PERSON,
      ...pending.claims,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    const idToken = await new SignJWT(claims as JWTPayload).setProtectedHeader({ alg: 'ES256', kid: 'op-1' }).sign(pending.signWith ?? this.key);
    return this.send(res, 200, { access_token: randomBytes(16).toString('base64url'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
  }
}

const op = new FakeProvider();
before(() => op.start());
after(() => op.stop());

function method(extra: Partial<OidcMethodOptions> = {}) {
  return createOidcMethod({ issuer: op.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI, ...extra });
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<IdentityError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof IdentityError, `expected an IdentityError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code} (${error.detail})`);
    assert.ok(!`${error.message} ${error.detail}`.includes(PERSON), 'no national ID in errors');
    return error;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

describe('start', () => {
  test('asks for the code flow with PKCE S256, state, nonce and a fresh sign-in', async () => {
    const { url, state } = await method().start();
    const request = new URL(url);
    assert.equal(request.origin + request.pathname, `${op.issuer}/auth`);
    const p = request.searchParams;
    assert.equal(p.get('response_type'), 'code');
    assert.equal(p.get('client_id'), CLIENT_ID);
    assert.equal(p.get('redirect_uri'), REDIRECT_URI);
    assert.deepEqual(p.get('scope')?.split(' ').sort(), ['national_id', 'openid', 'profile']);
    assert.equal(p.get('code_challenge_method'), 'S256');
    assert.equal(p.get('code_challenge'), createHash('sha256').update(state.codeVerifier).digest('base64url'));
    assert.equal(p.get('state'), state.state);
    assert.equal(p.get('nonce'), state.nonce);
    assert.equal(p.get('prompt'), 'login');
    assert.equal(p.get('max_age'), '600');
  });

  test('every start has its own verifier, state and nonce', async () => {
    const m = method();
    const [a, b] = await Promise.all([m.start(), m.start()]);
    assert.notEqual(a.state.codeVerifier, b.state.codeVerifier);
    assert.notEqual(a.state.state, b.state.state);
    assert.notEqual(a.state.nonce, b.state.nonce);
  });
});

describe('finish', () => {
  test('a good answer gives level 2 and the national ID; the reference names issuer and subject only', async () => {
    const now = new Date('2026-11-27T08:00:00Z');
    const m = method({ now: () => now });
    const { url, state } = await m.start();
    const identity = await m.finish(op.authorize(url, { national_id: ' a123456789 ' }), state);
    assert.deepEqual(identity, {
      method: 'oidc',
      nationalId: PERSON,
      level: 2,
      verifiedAt: now,
      reference: `oidc:${op.issuer}:opaque-subject-1`,
      name: undefined,
    });
  });

  test('a name claim is kept to greet the person; an empty or overlong one is not', async () => {
    const m = method();
    for (const [name, kept] of [
      ['王小明', '王小明'],
      ['  ', undefined],
      ['x'.repeat(61), undefined],
    ] as const) {
      const { url, state } = await m.start();
      assert.equal((await m.finish(op.authorize(url, { national_id: 'A123456789', name }), state)).name, kept);
    }
  });

  test('the checks run in a fixed, reviewable order', () => {
    assert.deepEqual(
      OIDC_PIPELINE.map((step) => step.name),
      ['checkCallbackState', 'exchangeCode', 'readAssuranceLevel', 'readNationalId'],
    );
  });

  test('acr values map to the configured levels', async () => {
    const m = method({ acrLevels: { 'urn:example:chip-card': 1, [LOA2]: 2 } });
    assert.equal(m.bestLevel, 1);
    const { url, state } = await m.start();
    assert.equal((await m.finish(op.authorize(url, { acr: 'urn:example:chip-card' }), state)).level, 1);
  });

  test('an unknown or missing acr is refused, not guessed', async () => {
    const m = method();
    for (const acr of ['urn:example:password', undefined, 'toString']) {
      const { url, state } = await m.start();
      await rejectsWith(m.finish(op.authorize(url, { acr }), state), 'assurance_unknown');
    }
  });

  test('a missing, malformed or wrong-checksum national ID is refused without echoing it', async () => {
    const m = method();
    for (const nationalId of [undefined, 12345, 'A12345678', 'A123456788']) {
      const { url, state } = await m.start();
      const error = await rejectsWith(m.finish(op.authorize(url, { national_id: nationalId }), state), 'identifier_invalid');
      assert.ok(!error.detail?.includes('A12345678'));
    }
  });

  test('a callback with another state is refused before the code is used', async () => {
    const m = method();
    const { url, state } = await m.start();
    const callback = op.authorize(url);
    callback.searchParams.set('state', 'x'.repeat(43));
    const before = op.tokenRequests;
    await rejectsWith(m.finish(callback, state), 'state_mismatch');
    callback.searchParams.delete('state');
    await rejectsWith(m.finish(callback, state), 'state_mismatch');
    assert.equal(op.tokenRequests, before);
  });

  test('a callback with no sign-in kept in the session is refused', async () => {
    const m = method();
    const { url } = await m.start();
    const callback = op.authorize(url);
    await rejectsWith(m.finish(callback, { codeVerifier: '', state: '', nonce: '' }), 'state_mismatch');
  });

  test('the state of another sign-in does not fit', async () => {
    const m = method();
    const mine = await m.start();
    const theirs = await m.start();
    await rejectsWith(m.finish(op.authorize(theirs.url), mine.state), 'state_mismatch');
  });

  test('errors from the provider: access_denied is idp_denied, others idp_error, a forged one state_mismatch', async () => {
    const m = method();
    const cases: Array<[string, string]> = [
      ['access_denied', 'idp_denied'],
      ['server_error', 'idp_error'],
      ['invalid_request', 'idp_error'],
      ['temporarily_unavailable', 'idp_unavailable'],
    ];
    for (const [error, code] of cases) {
      const { state } = await m.start();
      const callback = new URL(`${REDIRECT_URI}?${new URLSearchParams({ error, error_description: 'no', state: state.state, iss: op.issuer })}`);
      await rejectsWith(m.finish(callback, state), code);
    }
    const { state } = await m.start();
    await rejectsWith(m.finish(new URL(`${REDIRECT_URI}?error=access_denied&state=forged-state-forged-state`), state), 'state_mismatch');
  });

  test('a tampered, replayed or PKCE-mismatched code is refused', async () => {
    const m = method();
    const first = await m.start();
    const tampered = op.authorize(first.url);
    tampered.searchParams.set('code', `${tampered.searchParams.get('code')}x`);
    await rejectsWith(m.finish(tampered, first.state), 'response_invalid');

    const second = await m.start();
    const callback = op.authorize(second.url);
    await m.finish(callback, second.state);
    await rejectsWith(m.finish(callback, second.state), 'response_invalid');

    const third = await m.start();
    await rejectsWith(m.finish(op.authorize(third.url), { ...third.state, codeVerifier: `${third.state.codeVerifier.slice(1)}A` }), 'response_invalid');
  });

  test('ID tokens with the wrong nonce, audience, issuer, expiry, age or signer are refused', async () => {
    const m = method();
    const now = Math.floor(Date.now() / 1000);
    const other = (await generateKeyPair('ES256')).privateKey;
    const bad: Array<[string, Record<string, unknown>, SigningKey?]> = [
      ['nonce', { nonce: 'another-nonce' }],
      ['audience', { aud: 'another-client' }],
      ['issuer', { iss: 'http://127.0.0.1:1' }],
      ['expiry', { iat: now - 7200, exp: now - 3600 }],
      ['sign-in age', { auth_time: now - 3600 }],
      ['signer', {}, other],
      ['subject', { sub: undefined }],
    ];
    for (const [what, claims, key] of bad) {
      const { url, state } = await m.start();
      await rejectsWith(m.finish(op.authorize(url, claims, key), state), 'response_invalid').catch((error: unknown) => {
        throw new Error(`${what}: ${(error as Error).message}`);
      });
    }
  });

  test('a callback claiming another issuer (mix-up) is refused', async () => {
    const m = method();
    const { url, state } = await m.start();
    const callback = op.authorize(url);
    callback.searchParams.set('iss', 'https://evil.example');
    await rejectsWith(m.finish(callback, state), 'response_invalid');
  });

  test('token endpoint failures: 5xx is idp_unavailable, invalid_client is idp_error', async () => {
    const m = method();
    try {
      op.tokenFailure = { status: 503, body: { error: 'server_error' } };
      let start = await m.start();
      await rejectsWith(m.finish(op.authorize(start.url), start.state), 'idp_unavailable');
      op.tokenFailure = { status: 401, body: { error: 'invalid_client' } };
      start = await m.start();
      await rejectsWith(m.finish(op.authorize(start.url), start.state), 'idp_error');
    } finally {
      op.tokenFailure = undefined;
    }
  });

  test('private_key_jwt client authentication', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    op.clientJwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'hub-1', alg: 'ES256' }] };
    try {
      const m = createOidcMethod({ issuer: op.issuer, clientId: CLIENT_ID, clientPrivateKey: { key: privateKey, kid: 'hub-1' }, redirectUri: REDIRECT_URI });
      const { url, state } = await m.start();
      assert.equal((await m.finish(op.authorize(url), state)).nationalId, PERSON);
      // The secret no longer opens the token endpoint.
      const s = await method().start();
      await rejectsWith(method().finish(op.authorize(s.url), s.state), 'idp_error');
    } finally {
      op.clientJwks = undefined;
    }
  });
});

describe('provider down', () => {
  test('start and finish report idp_unavailable, and discovery recovers when the provider is back', async () => {
    const down = new FakeProvider();
    await down.start();
    const port = down.port;
    const issuer = down.issuer;
    await down.stop();
    const m = createOidcMethod({ issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI, timeoutSeconds: 10 });
    await rejectsWith(m.start(), 'idp_unavailable');
    await rejectsWith(
      m.finish(new URL(`${REDIRECT_URI}?code=c&state=${'s'.repeat(43)}`), { codeVerifier: 'v'.repeat(43), state: 's'.repeat(43), nonce: 'n'.repeat(43) }),
      'idp_unavailable',
    );

    const back = new FakeProvider();
    await back.start(port);
    try {
      const { url, state } = await m.start();
      const callback = back.authorize(url);
      await back.stop();
      // Down between the redirect and the callback: the token request cannot be made.
      await rejectsWith(m.finish(callback, state), 'idp_unavailable');
    } finally {
      await back.stop();
    }
  });

  test('a provider that answers discovery with garbage is idp_unavailable', async () => {
    const server = createServer((_req, res) => {
      res.statusCode = 502;
      res.end('<html>bad gateway</html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const m = createOidcMethod({ issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI });
      await rejectsWith(m.start(), 'idp_unavailable');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('configuration', () => {
  const base: OidcMethodOptions = { issuer: 'https://idp.example', clientId: 'c', clientSecret: 's', redirectUri: 'https://hub.example/login/oidc/callback' };

  test('plain http only to this machine', () => {
    assert.throws(() => createOidcMethod({ ...base, issuer: 'http://idp.example' }), ConfigError);
    assert.throws(() => createOidcMethod({ ...base, redirectUri: 'http://hub.example/cb' }), ConfigError);
    assert.doesNotThrow(() => createOidcMethod({ ...base, issuer: 'http://127.0.0.1:3008', redirectUri: 'http://localhost:3000/login/oidc/callback' }));
  });

  test('exactly one client authentication, known levels, openid scope', () => {
    assert.throws(() => createOidcMethod({ ...base, clientSecret: undefined }), /exactly one/);
    assert.throws(() => createOidcMethod({ ...base, acrLevels: {} }), /at least one acr/);
    assert.throws(() => createOidcMethod({ ...base, scope: 'national_id' }), /openid/);
    assert.throws(() => createOidcMethod({ ...base, issuer: 'not a url' }), /absolute URL/);
  });

  test('from the environment: off without OIDC_ISSUER, defaults otherwise, every problem listed', () => {
    assert.equal(oidcOptionsFromEnv({}, 'http://localhost:3000'), undefined);
    assert.equal(oidcOptionsFromEnv({ OIDC_ISSUER: '' }, 'http://localhost:3000'), undefined);
    const options = oidcOptionsFromEnv(
      { OIDC_ISSUER: 'http://127.0.0.1:3008', OIDC_CLIENT_ID: 'openmydata-hub', OIDC_CLIENT_SECRET: 'secret' },
      'http://localhost:3000/',
    );
    assert.equal(options?.redirectUri, 'http://localhost:3000/login/oidc/callback');
    assert.equal(options?.acrLevels, undefined);
    const custom = oidcOptionsFromEnv(
      { OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'c', OIDC_CLIENT_SECRET: 's', OIDC_ACR_LEVELS: 'urn:a=1, urn:b:c=3', OIDC_TIMEOUT_SECONDS: '5' },
      'https://hub.example',
    );
    assert.deepEqual(custom?.acrLevels, { 'urn:a': 1, 'urn:b:c': 3 });
    assert.equal(custom?.timeoutSeconds, 5);
    try {
      oidcOptionsFromEnv({ OIDC_ISSUER: 'https://idp.example', OIDC_ACR_LEVELS: 'urn:a=7', OIDC_TIMEOUT_SECONDS: 'soon' }, 'https://hub.example');
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 4, error.problems.join('\n'));
    }
  });

  test('every error code has wording in both languages', () => {
    for (const [code, text] of Object.entries(OIDC_ERRORS)) {
      assert.ok(text.en.length > 10 && text['zh-TW'].length > 5, code);
    }
  });
});
