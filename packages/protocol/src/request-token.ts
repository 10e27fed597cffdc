// The hub's request JWT to an agency: signed by the hub, short-lived, single-use at the agency.
import { randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { isVerificationFailure } from './jose-errors.ts';
import type { KeyResolver, SigningKey } from './package.ts';
import { PROVIDER_API, requestClaimsSchema, type RequestClaims } from './provider-api.ts';

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

export type RequestTokenErrorCode = 'token_invalid' | 'token_expired' | 'token_wrong_audience' | 'token_lifetime' | 'token_claims';

export class RequestTokenError extends Error {
  override readonly name = 'RequestTokenError';
  constructor(
    readonly code: RequestTokenErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface VerifyRequestTokenOptions {
  keys: KeyResolver;
  issuer: string;
  audience: string;
  clockToleranceSeconds?: number;
  now?: Date;
}

/** Verifies signature, type, issuer, audience, expiry and lifetime; replay is the caller's check (jti). */
export async function verifyRequestToken(token: string, options: VerifyRequestTokenOptions): Promise<RequestClaims> {
  let payload: unknown;
  try {
    const result = await jwtVerify(token, options.keys, {
      algorithms: [PROVIDER_API.algorithm],
      typ: PROVIDER_API.requestJwtType,
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockToleranceSeconds ?? 5,
      requiredClaims: ['jti', 'iat', 'exp', 'sub'],
      // Also refuses an iat in the future, so a token can never outlive the 60 s budget.
      maxTokenAge: PROVIDER_API.maxRequestLifetimeSeconds,
      ...(options.now ? { currentDate: options.now } : {}),
    });
    payload = result.payload;
  } catch (error) {
    // Hub keys that could not be fetched are not the token's fault: let the caller answer 503.
    if (!isVerificationFailure(error)) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new RequestTokenError('token_expired', 'request token has expired');
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'typ')
      throw new RequestTokenError('token_invalid', 'request token has the wrong type');
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'aud') {
      throw new RequestTokenError('token_wrong_audience', 'request token is addressed to another agency');
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) throw new RequestTokenError('token_claims', `request token claim ${error.claim} is invalid`);
    throw new RequestTokenError('token_invalid', 'request token signature or format is invalid');
  }
  const parsed = requestClaimsSchema.safeParse(payload);
  if (!parsed.success) throw new RequestTokenError('token_claims', `request token claims are invalid: ${parsed.error.issues[0]?.path.join('.') ?? ''}`);
  if (parsed.data.exp - parsed.data.iat > PROVIDER_API.maxRequestLifetimeSeconds) {
    throw new RequestTokenError('token_lifetime', `request token lives longer than ${PROVIDER_API.maxRequestLifetimeSeconds} s`);
  }
  return parsed.data;
}
