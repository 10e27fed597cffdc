import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, type JWTPayload, SignJWT } from 'jose';
import { PROVIDER_API, requestClaimsSchema } from '../src/provider-api.ts';
import {
  newTransactionId,
  RequestTokenError,
  type RequestTokenErrorCode,
  type RequestTokenInput,
  signRequestToken,
  type VerifyRequestTokenOptions,
  verifyRequestToken,
} from '../src/request-token.ts';
import { startJwksServer, UNREACHABLE_JWKS_URL } from './helpers/jwks-server.ts';
import { jwksOf, newKey, type TestKey } from './helpers/keys.ts';

const HUB = 'https://hub.openmydata.test';
const AGENCY = 'moi-household';
const NOW = new Date('2025-03-01T08:30:00.000Z');
const IAT = NOW.getTime() / 1000;
const at = (secondsAfterNow: number) => new Date(NOW.getTime() + secondsAfterNow * 1000);

const input: RequestTokenInput = {
  issuer: HUB,
  audience: AGENCY,
  subject: 'A123456789',
  dataset: 'household-registration',
  consentId: 'consent-42',
  purpose: 'Download by the data subject',
  transactionId: 'txn_0123456789abcdefghij',
  now: NOW,
};

let hubKey: TestKey;
let otherKey: TestKey;

before(async () => {
  hubKey = await newKey('hub-2025');
  otherKey = await newKey('hub-2025');
});

function options(overrides: Partial<VerifyRequestTokenOptions> = {}): VerifyRequestTokenOptions {
  return { keys: jwksOf(hubKey), issuer: HUB, audience: AGENCY, now: at(1), ...overrides };
}

async function codeOf(token: string, overrides: Partial<VerifyRequestTokenOptions> = {}): Promise<RequestTokenErrorCode> {
  try {
    await verifyRequestToken(token, options(overrides));
  } catch (error) {
    assert.ok(error instanceof RequestTokenError, `expected a RequestTokenError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('the token was accepted');
}

const goodClaims = () => ({
  dataset: input.dataset,
  consent_id: input.consentId,
  purpose: input.purpose,
  txn: input.transactionId,
});

/** A token crafted claim by claim, for the cases signRequestToken will not produce. */
function craft(
  claims: JWTPayload,
  { header = {}, key = hubKey, lifetime = 30 }: { header?: Record<string, unknown>; key?: TestKey; lifetime?: number } = {},
): Promise<string> {
  return new SignJWT({ iss: HUB, aud: AGENCY, sub: input.subject, jti: 'jti-0123456789abcdef', iat: IAT, exp: IAT + lifetime, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: PROVIDER_API.requestJwtType, ...header })
    .sign(key.privateKey);
}

describe('signRequestToken', () => {
  it('writes the header and claims of the Provider API', async () => {
    const token = await signRequestToken(input, hubKey);
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'ES256', kid: 'hub-2025', typ: 'omd-request+jwt' });
    const claims = decodeJwt(token);
    assert.equal(claims.iss, HUB);
    assert.equal(claims.aud, AGENCY);
    assert.equal(claims.sub, 'A123456789');
    assert.equal(claims.iat, IAT);
    assert.equal(claims.exp, IAT + 30);
    assert.equal(claims.dataset, input.dataset);
    assert.equal(claims.consent_id, input.consentId);
    assert.equal(claims.purpose, input.purpose);
    assert.equal(claims.txn, input.transactionId);
    assert.equal(requestClaimsSchema.safeParse(claims).success, true);
  });

  it('gives every token a fresh jti', async () => {
    const a = decodeJwt(await signRequestToken(input, hubKey)).jti;
    const b = decodeJwt(await signRequestToken(input, hubKey)).jti;
    assert.ok(typeof a === 'string' && a.length >= 16);
    assert.notEqual(a, b);
  });

  it('never signs a lifetime over 60 s', async () => {
    const claims = decodeJwt(await signRequestToken({ ...input, lifetimeSeconds: 3600 }, hubKey));
    assert.equal((claims.exp as number) - (claims.iat as number), PROVIDER_API.maxRequestLifetimeSeconds);
    const short = decodeJwt(await signRequestToken({ ...input, lifetimeSeconds: 10 }, hubKey));
    assert.equal((short.exp as number) - (short.iat as number), 10);
  });
});

describe('newTransactionId', () => {
  it('makes ids the txn claim accepts, different every time', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newTransactionId()));
    assert.equal(ids.size, 100);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{16,128}$/);
  });
});

describe('verifyRequestToken accepts', () => {
  it('a token the hub signed, returning its claims', async () => {
    const token = await signRequestToken(input, hubKey);
    const claims = await verifyRequestToken(token, options());
    assert.equal(claims.sub, 'A123456789');
    assert.equal(claims.aud, AGENCY);
    assert.equal(claims.iss, HUB);
    assert.equal(claims.dataset, input.dataset);
    assert.equal(claims.consent_id, input.consentId);
    assert.equal(claims.purpose, input.purpose);
    assert.equal(claims.txn, input.transactionId);
    assert.equal(claims.exp - claims.iat, 30);
  });

  it('a token of exactly 60 s', async () => {
    const token = await craft(goodClaims(), { lifetime: 60 });
    assert.equal((await verifyRequestToken(token, options())).exp, IAT + 60);
  });

  it('a token just past exp, within the clock tolerance', async () => {
    const token = await signRequestToken(input, hubKey);
    await verifyRequestToken(token, options({ now: at(34) }));
    await assert.rejects(verifyRequestToken(token, options({ now: at(34), clockToleranceSeconds: 0 })), { code: 'token_expired' });
  });

  it('a token whose key sits in the hub JWKS beside a newer one', async () => {
    const next = await newKey('hub-2026');
    const token = await signRequestToken(input, next);
    await verifyRequestToken(token, options({ keys: jwksOf(hubKey, next) }));
  });
});

describe('verifyRequestToken refuses', () => {
  it('an expired token: token_expired', async () => {
    const token = await signRequestToken(input, hubKey);
    assert.equal(await codeOf(token, { now: at(36) }), 'token_expired');
    assert.equal(await codeOf(token, { now: at(3600) }), 'token_expired');
  });

  it('a token for another agency: token_wrong_audience', async () => {
    const token = await signRequestToken({ ...input, audience: 'mof-tax' }, hubKey);
    assert.equal(await codeOf(token), 'token_wrong_audience');
  });

  it('an aud that is an array, even one naming this agency: token_claims (aud is one string)', async () => {
    assert.equal(await codeOf(await craft({ ...goodClaims(), aud: ['mof-tax'] })), 'token_claims');
    assert.equal(await codeOf(await craft({ ...goodClaims(), aud: [AGENCY] })), 'token_claims');
    assert.equal(await codeOf(await craft({ ...goodClaims(), aud: [AGENCY, 'mof-tax'] })), 'token_claims');
  });

  it('a token that lives longer than 60 s: token_lifetime', async () => {
    assert.equal(await codeOf(await craft(goodClaims(), { lifetime: 61 })), 'token_lifetime');
    assert.equal(await codeOf(await craft(goodClaims(), { lifetime: 3600 })), 'token_lifetime');
  });

  it('a token signed by another key under the hub kid: token_invalid', async () => {
    assert.equal(await codeOf(await signRequestToken(input, otherKey)), 'token_invalid');
  });

  it('a token signed under a kid the hub does not publish: token_invalid', async () => {
    const stranger = await newKey('someone-else');
    assert.equal(await codeOf(await signRequestToken(input, stranger)), 'token_invalid');
  });

  it('a token of another type: token_invalid', async () => {
    assert.equal(await codeOf(await craft(goodClaims(), { header: { typ: 'JWT' } })), 'token_invalid');
  });

  it('a token of another type or with no type: token_invalid', async () => {
    for (const typ of ['JWT', 'at+jwt', 'omd-manifest+jws', undefined]) {
      assert.equal(await codeOf(await craft(goodClaims(), { header: { typ } })), 'token_invalid', `typ ${String(typ)}`);
    }
  });

  it('a token without a kid: token_invalid', async () => {
    assert.equal(await codeOf(await craft(goodClaims(), { header: { kid: undefined } })), 'token_invalid');
  });

  it('a token with another algorithm or none: token_invalid', async () => {
    const secret = new TextEncoder().encode('a shared secret of thirty-two by');
    const hs = await new SignJWT({ ...goodClaims(), jti: 'jti-0123456789abcdef' })
      .setProtectedHeader({ alg: 'HS256', kid: hubKey.kid, typ: PROVIDER_API.requestJwtType })
      .setIssuer(HUB)
      .setAudience(AGENCY)
      .setSubject(input.subject)
      .setIssuedAt(IAT)
      .setExpirationTime(IAT + 30)
      .sign(secret);
    assert.equal(await codeOf(hs), 'token_invalid');
    const [, payload] = (await signRequestToken(input, hubKey)).split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: PROVIDER_API.requestJwtType })).toString('base64url');
    assert.equal(await codeOf(`${header}.${payload}.`), 'token_invalid');
  });

  it('a token with a changed claim: token_invalid', async () => {
    const token = await signRequestToken(input, hubKey);
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(token), sub: 'F131054472' })).toString('base64url');
    assert.equal(await codeOf(`${header}.${forged}.${signature}`), 'token_invalid');
  });

  it('something that is not a JWT: token_invalid', async () => {
    for (const junk of ['', 'hello', 'a.b.c', 'Bearer abc']) assert.equal(await codeOf(junk), 'token_invalid', JSON.stringify(junk));
  });

  it('a token without txn, dataset, consent_id or purpose: token_claims', async () => {
    for (const missing of ['txn', 'dataset', 'consent_id', 'purpose'] as const) {
      const claims: Record<string, unknown> = goodClaims();
      delete claims[missing];
      assert.equal(await codeOf(await craft(claims)), 'token_claims', missing);
    }
  });

  it('a token without iss, aud, jti, iat, exp or sub: token_claims', async () => {
    for (const missing of ['iss', 'aud', 'jti', 'iat', 'exp', 'sub']) {
      const claims: JWTPayload = { ...goodClaims(), [missing]: undefined };
      assert.equal(await codeOf(await craft(claims)), 'token_claims', missing);
    }
  });

  it('a token from another issuer, or from the hub spelled differently: token_claims', async () => {
    for (const issuer of ['https://evil.test', `${HUB}/`, HUB.toUpperCase(), `${HUB}:443`]) {
      assert.equal(await codeOf(await signRequestToken({ ...input, issuer }, hubKey)), 'token_claims', issuer);
    }
  });

  it('claims of the wrong form: token_claims', async () => {
    const bad: Array<[string, JWTPayload]> = [
      ['short jti', { jti: 'short' }],
      ['txn with a dot', { txn: 'txn.0123456789abcdef' }],
      ['short txn', { txn: 'abc' }],
      ['dataset in capitals', { dataset: 'Household' }],
      ['empty purpose', { purpose: '' }],
      ['long subject', { sub: 'A'.repeat(33) }],
      ['numeric consent', { consent_id: 42 }],
    ];
    for (const [what, change] of bad) assert.equal(await codeOf(await craft({ ...goodClaims(), ...change })), 'token_claims', what);
  });

  it('a token issued in the future beyond the clock tolerance: token_claims', async () => {
    const later = IAT + 24 * 3600;
    assert.equal(await codeOf(await craft({ ...goodClaims(), iat: later, exp: later + 60 })), 'token_claims');
    // now is IAT + 1: an iat 5 s ahead of it is within the 5 s tolerance, 6 s is not.
    await verifyRequestToken(await craft({ ...goodClaims(), iat: IAT + 6, exp: IAT + 36 }), options());
    assert.equal(await codeOf(await craft({ ...goodClaims(), iat: IAT + 7, exp: IAT + 37 })), 'token_claims');
  });

  it('a token not valid before a time still ahead: token_claims', async () => {
    assert.equal(await codeOf(await craft({ ...goodClaims(), nbf: IAT + 20 })), 'token_claims');
    await verifyRequestToken(await craft({ ...goodClaims(), nbf: IAT }), options());
  });

  it('a token whose exp is not after its iat: token_lifetime', async () => {
    assert.equal(await codeOf(await craft(goodClaims(), { lifetime: 0 })), 'token_lifetime');
    assert.equal(await codeOf(await craft(goodClaims(), { lifetime: -5 }), { now: at(-3) }), 'token_lifetime');
  });
});

describe('verifyRequestToken when the hub keys cannot be fetched', () => {
  // Not the token's fault: the agency must answer 503 hub_keys_unavailable (the hub retries), not a 401.
  it('calls a JWKS timeout hub_keys_unavailable', async () => {
    const server = await startJwksServer('hang');
    try {
      const keys = createRemoteJWKSet(server.url, { timeoutDuration: 100 });
      assert.equal(await codeOf(await signRequestToken(input, hubKey), { keys }), 'hub_keys_unavailable');
    } finally {
      await server.close();
    }
  });

  it('calls a JWKS that answers 500 hub_keys_unavailable', async () => {
    const server = await startJwksServer('status-500');
    try {
      assert.equal(await codeOf(await signRequestToken(input, hubKey), { keys: createRemoteJWKSet(server.url) }), 'hub_keys_unavailable');
    } finally {
      await server.close();
    }
  });

  it('calls an unreachable JWKS hub_keys_unavailable', async () => {
    assert.equal(await codeOf(await signRequestToken(input, hubKey), { keys: createRemoteJWKSet(UNREACHABLE_JWKS_URL) }), 'hub_keys_unavailable');
  });

  it('still calls a token with a bad algorithm invalid without fetching keys', async () => {
    let fetched = false;
    const keys: VerifyRequestTokenOptions['keys'] = async () => {
      fetched = true;
      throw new Error('unreachable');
    };
    const [, payload] = (await signRequestToken(input, hubKey)).split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: hubKey.kid, typ: PROVIDER_API.requestJwtType })).toString('base64url');
    assert.equal(await codeOf(`${header}.${payload}.`, { keys }), 'token_invalid');
    assert.equal(fetched, false);
  });
});
