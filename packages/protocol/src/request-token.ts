// The hub's request JWT to an agency: signed by the hub, short-lived, single-use at the agency.
import { randomBytes } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, type JWSHeaderParameters, SignJWT } from 'jose';
import { joseCode } from './jose-errors.ts';
import type { KeyResolver, SigningKey } from './package.ts';
import { PROVIDER_API, REQUIRED_REQUEST_CLAIMS, requestClaimsSchema, type RequestClaims } from './provider-api.ts';

export interface RequestTokenInput {
  issuer: string;
  audience: string;
  subject: string;
  dataset: string;
  consentId: string;
  purpose: string;
  transactionId: string;
  lifetimeSeconds?: number;
  now?: Date;
}

export function newTransactionId(): string {
  return randomBytes(18).toString('base64url');
}

export async function signRequestToken(input: RequestTokenInput, key: { privateKey: SigningKey; kid: string }): Promise<string> {
  const lifetime = Math.min(input.lifetimeSeconds ?? 30, PROVIDER_API.maxRequestLifetimeSeconds);
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return new SignJWT({
    dataset: input.dataset,
    consent_id: input.consentId,
    purpose: input.purpose,
    txn: input.transactionId,
  })
    .setProtectedHeader({ alg: PROVIDER_API.algorithm, kid: key.kid, typ: PROVIDER_API.requestJwtType })
    .setIssuer(input.issuer)
    .setAudience(input.audience)
    .setSubject(input.subject)
    .setJti(randomBytes(18).toString('base64url'))
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetime)
    .sign(key.privateKey);
}

/** What an agency answers when step 2 of docs/provider-api.md section 5 fails: a 401 code, or 503 when the hub's keys cannot be had. */
export type RequestTokenErrorCode = 'token_invalid' | 'token_expired' | 'token_wrong_audience' | 'token_lifetime' | 'token_claims' | 'hub_keys_unavailable';

export class RequestTokenError extends Error {
  override readonly name = 'RequestTokenError';
  constructor(
    readonly code: RequestTokenErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface VerifyRequestTokenOptions {
  keys: KeyResolver;
  /** The hub's issuer identifier, configured at the agency; compared byte for byte with iss. */
  issuer: string;
  audience: string;
  /** Allowed clock skew on exp, iat and nbf: 0 to 60 s, default 5 s. */
  clockToleranceSeconds?: number;
  now?: Date;
}

interface TokenContext {
  claims: RequestClaims;
  now: number;
  tolerance: number;
  options: VerifyRequestTokenOptions;
}

/**
 * Step 2 after the signature, in the documented order (docs/provider-api.md section 5, 2c-2i): the
 * first failing check names the code. Written out rather than left to a JWT library, so that the
 * order, and which code each failure gets, is the table agencies read.
 */
const CLAIM_CHECKS: ReadonlyArray<(t: TokenContext) => RequestTokenError | undefined> = [
  // 2e: exact string equality, no normalisation; a trailing slash or a capital makes another issuer.
  (t) => (t.claims.iss === t.options.issuer ? undefined : new RequestTokenError('token_claims', 'request token claim iss is not the configured hub issuer')),
  // 2f
  (t) => (t.claims.aud === t.options.audience ? undefined : new RequestTokenError('token_wrong_audience', 'request token is addressed to another agency')),
  // 2g
  (t) => (t.claims.exp > t.now - t.tolerance ? undefined : new RequestTokenError('token_expired', 'request token has expired')),
  // 2h: a token from the future could otherwise outlive the 60 s budget, and its jti would have to be kept until then.
  (t) => (t.claims.iat <= t.now + t.tolerance ? undefined : new RequestTokenError('token_claims', 'request token claim iat is in the future')),
  (t) =>
    t.claims.nbf === undefined || t.claims.nbf <= t.now + t.tolerance
      ? undefined
      : new RequestTokenError('token_claims', 'request token is not valid yet (nbf)'),
  // 2i
  (t) => {
    const lifetime = t.claims.exp - t.claims.iat;
    return lifetime > 0 && lifetime <= PROVIDER_API.maxRequestLifetimeSeconds
      ? undefined
      : new RequestTokenError('token_lifetime', `request token must live more than 0 and at most ${PROVIDER_API.maxRequestLifetimeSeconds} s`);
  },
];

/**
 * Verifies a request JWT as docs/provider-api.md section 5 step 2 says, in that order: signature
 * by a hub key (2a; keys that cannot be fetched are 2b), typ (2c), all claims present and well
 * formed (2d), issuer (2e), audience (2f), expiry (2g), iat and nbf not in the future (2h),
 * lifetime (2i). Replay (jti) is the caller's step 3. Throws RequestTokenError.
 */
export async function verifyRequestToken(token: string, options: VerifyRequestTokenOptions): Promise<RequestClaims> {
  const tolerance = options.clockToleranceSeconds ?? PROVIDER_API.defaultClockToleranceSeconds;
  if (!(tolerance >= 0 && tolerance <= PROVIDER_API.maxClockToleranceSeconds)) {
    throw new RangeError(`clockToleranceSeconds must be between 0 and ${PROVIDER_API.maxClockToleranceSeconds}`);
  }
  const { header, payload } = await verifySignature(token, options.keys);
  if (!typeMatches(header.typ)) throw new RequestTokenError('token_invalid', 'request token has the wrong type');
  const claims = parseClaims(payload);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const context: TokenContext = { claims, now, tolerance, options };
  for (const check of CLAIM_CHECKS) {
    const failure = check(context);
    if (failure) throw failure;
  }
  return claims;
}

/** 2a and 2b: a compact ES256 JWS naming a kid, verified with that hub key. */
async function verifySignature(token: string, keys: KeyResolver): Promise<{ header: JWSHeaderParameters; payload: Uint8Array }> {
  let header: JWSHeaderParameters;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new RequestTokenError('token_invalid', 'request token is not a compact JWS');
  }
  if (typeof header.kid !== 'string' || header.kid === '') throw new RequestTokenError('token_invalid', 'request token names no kid');
  let keysUnavailable: unknown;
  const resolve: KeyResolver = async (protectedHeader, jws) => {
    try {
      return await keys(protectedHeader, jws);
    } catch (error) {
      // A JWKS that was read but has no (single) key under this kid is the token's fault; any
      // other failure (timeout, refused, error status, not a JWKS) means we cannot judge yet.
      const code = joseCode(error);
      if (code !== 'ERR_JWKS_NO_MATCHING_KEY' && code !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') keysUnavailable = error ?? new Error('key resolver failed');
      throw error;
    }
  };
  try {
    const result = await compactVerify(token, resolve, { algorithms: [PROVIDER_API.algorithm] });
    return { header: result.protectedHeader, payload: result.payload };
  } catch (error) {
    if (keysUnavailable !== undefined)
      throw new RequestTokenError('hub_keys_unavailable', "the hub's public keys could not be fetched", { cause: keysUnavailable });
    throw new RequestTokenError('token_invalid', 'request token signature or format is invalid', { cause: error });
  }
}

/** RFC 7515 4.1.9: typ compares case-insensitively, and an "application/" prefix may be left out. */
function typeMatches(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  return typ.toLowerCase().replace(/^application\//, '') === PROVIDER_API.requestJwtType;
}

/** 2d: the payload is a JSON object holding every claim of section 4.2 in its form (an array aud included: it must be one string). */
function parseClaims(payload: Uint8Array): RequestClaims {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw new RequestTokenError('token_invalid', 'request token payload is not JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new RequestTokenError('token_invalid', 'request token payload is not a JSON object');
  const missing = REQUIRED_REQUEST_CLAIMS.filter((claim) => !Object.hasOwn(json, claim));
  if (missing.length > 0) throw new RequestTokenError('token_claims', `request token lacks the claim ${missing.join(', ')}`);
  const parsed = requestClaimsSchema.safeParse(json);
  if (!parsed.success) {
    const claim = parsed.error.issues[0]?.path[0];
    throw new RequestTokenError('token_claims', `request token claim ${String(claim ?? '')} has the wrong form`);
  }
  return parsed.data;
}
