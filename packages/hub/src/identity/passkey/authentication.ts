// Logging in with a passkey: options for navigator.credentials.get (discoverable credentials, so
// the person types nothing), then the answer through the checks below, in this order. The first
// failing step decides the error code.
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { VerifiedIdentity } from '../types.ts';
import { PasskeyLoginAttempt } from './attempt.ts';
import { issueChallenge, type PasskeyChallenge } from './challenge.ts';
import { checkCounter } from './check-counter.ts';
import { checkLoginChallenge } from './check-login-challenge.ts';
import { findCredential } from './find-credential.ts';
import { openIdentity } from './open-identity.ts';
import type { ResolvedPasskeyOptions } from './options.ts';
import { readLoginResponse } from './read-login-response.ts';
import { recordUse } from './record-use.ts';
import { verifyAssertion } from './verify-assertion.ts';
import { requestOptions } from './webauthn.ts';

export type PasskeyStep = (attempt: PasskeyLoginAttempt) => void | Promise<void>;

/** The checks, in the order they run. Review them here as one table. */
export const PASSKEY_LOGIN_PIPELINE: readonly PasskeyStep[] = [
  checkLoginChallenge, // challenge_expired
  readLoginResponse, // passkey_invalid
  findCredential, // passkey_unknown
  verifyAssertion, // passkey_invalid: user handle, challenge, origin, rp id, type, presence + verification, signature
  checkCounter, // passkey_counter
  openIdentity, // passkey_invalid
  recordUse, // passkey_counter (a concurrent login with the same counter won)
];

/** A passkey login is level 2 (mobile FIDO in the platform's scale). */
export const PASSKEY_LEVEL = 2;
const REFERENCE_PREFIX_LENGTH = 16;

export async function authenticationOptions(
  o: ResolvedPasskeyOptions,
): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; challenge: PasskeyChallenge }> {
  const issued = issueChallenge(o.now());
  const options = await requestOptions(o, issued.challenge);
  return { options, challenge: issued };
}

/** Non-personal audit detail: enough to find the passkey in the person's own list. */
export function passkeyReference(credentialId: string): string {
  return `passkey:${credentialId.slice(0, REFERENCE_PREFIX_LENGTH)}`;
}

export async function verifyAuthentication(o: ResolvedPasskeyOptions, input: unknown, pending: unknown): Promise<VerifiedIdentity> {
  const now = o.now();
  const attempt = new PasskeyLoginAttempt(input, pending, o, now);
  for (const step of PASSKEY_LOGIN_PIPELINE) await step(attempt);
  return {
    method: 'passkey',
    nationalId: attempt.need('nationalId'),
    level: PASSKEY_LEVEL,
    verifiedAt: now,
    reference: passkeyReference(attempt.need('passkey').credentialId),
  };
}
