// Adding a passkey for a person who is logged in (level 1 or 2): options for
// navigator.credentials.create, then the checks on what the authenticator made, then the row.
import { randomBytes } from 'node:crypto';
import { generateRegistrationOptions, type PublicKeyCredentialCreationOptionsJSON, verifyRegistrationResponse } from '@simplewebauthn/server';
import { subjectKeyer } from '../../keys/subject-key.ts';
import { CEREMONY_TIMEOUT_MS, checkRegistrationChallenge, issueChallenge, type PasskeyRegistrationChallenge } from './challenge.ts';
import { insertPasskey, passkeysOf, type StoredPasskey } from './credential-store.ts';
import { passkeyError } from './errors.ts';
import type { ResolvedPasskeyOptions } from './options.ts';
import { readRegistrationResponse } from './read-response.ts';
import { sealNationalId } from './sealed-identity.ts';

/** EdDSA, ES256, RS256: what platform authenticators and security keys make. */
export const SUPPORTED_ALGORITHMS: readonly number[] = [-8, -7, -257];
export const DEFAULT_DISPLAY_LABEL = 'OpenMyData 使用者';
const USER_HANDLE_BYTES = 32;

/** The name an authenticator shows for the account: never a name or an ID, so a generic label. */
export function displayLabelOf(value: string | undefined): string {
  const label = (value ?? '')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 64);
  return label || DEFAULT_DISPLAY_LABEL;
}

function bytes(base64url: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(base64url, 'base64url'));
}

export async function registrationOptions(
  o: ResolvedPasskeyOptions,
  subjectKey: string,
  displayLabel?: string,
): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; challenge: PasskeyRegistrationChallenge }> {
  const existing = await passkeysOf(o.db, subjectKey);
  // One random handle per person, reused for their later passkeys so a passkey manager files them
  // under one account; it says nothing about the person and only the passkeys table holds it.
  const userHandle = existing[0]?.userHandle ?? randomBytes(USER_HANDLE_BYTES).toString('base64url');
  const issued = issueChallenge(o.now());
  const label = displayLabelOf(displayLabel);
  const options = await generateRegistrationOptions({
    rpName: o.rpName,
    rpID: o.rpId,
    userID: bytes(userHandle),
    userName: label,
    userDisplayName: label,
    challenge: bytes(issued.challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
  });
  if (options.challenge !== issued.challenge) throw new Error('registration options carry a different challenge than issued');
  return { options, challenge: { ...issued, subjectKey, userHandle } };
}

export interface PasskeyOwner {
  subjectKey: string;
  nationalId: string;
}

/**
 * Checks, in order: the session's challenge is fresh (challenge_expired) and was issued to this
 * person (passkey_invalid); the response has the right shape; the attestation is for this
 * challenge, origin and relying party, with the person present and verified, in a supported
 * algorithm (passkey_invalid); the credential id is new (passkey_invalid). Then stores it.
 */
export async function verifyRegistration(o: ResolvedPasskeyOptions, input: unknown, pending: unknown, owner: PasskeyOwner): Promise<StoredPasskey> {
  const now = o.now();
  const challenge = checkRegistrationChallenge(pending, now);
  // A bug in the caller, not something a person can cause: the ID and key must name one person.
  if (subjectKeyer(o.secret)(owner.nationalId) !== owner.subjectKey) throw new Error('verifyRegistration: the national ID does not match the subject key');
  if (challenge.subjectKey !== owner.subjectKey) throw passkeyError('passkey_invalid', 'the registration challenge was issued to another person');
  const response = readRegistrationResponse(input);
  let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    result = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: o.origin,
      expectedRPID: o.rpId,
      expectedType: 'webauthn.create',
      requireUserPresence: true,
      requireUserVerification: true,
      supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
    });
  } catch (error) {
    throw passkeyError('passkey_invalid', `attestation: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300));
  }
  if (!result.verified) throw passkeyError('passkey_invalid', 'attestation: not verified');
  const { credential } = result.registrationInfo;
  if (credential.id !== response.id) throw passkeyError('passkey_invalid', 'attestation: credential id differs from the response id');
  const passkey: StoredPasskey = {
    credentialId: credential.id,
    subjectKey: owner.subjectKey,
    userHandle: challenge.userHandle,
    publicKey: new Uint8Array(credential.publicKey),
    counter: credential.counter,
    transports: response.response.transports ?? [],
    sealedNationalId: sealNationalId(o.secret, credential.id, owner.nationalId),
    createdAt: now,
    lastUsedAt: null,
  };
  if (!(await insertPasskey(o.db, passkey))) throw passkeyError('passkey_invalid', 'this credential id is already registered');
  return passkey;
}
